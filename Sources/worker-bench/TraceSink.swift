import Hummingbird
import Logging
import ServiceLifecycle

/// An OTLP/HTTP endpoint that accepts every export and keeps nothing, so the worker's tracing cost is measured
/// without a collector.
struct TraceSink {
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let port: Int

    static func start(logger: Logger) async throws -> TraceSink {
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 64 << 20)
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [application], logger: logger)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchError("the trace sink did not start") }
        return TraceSink(group: group, running: running, port: port)
    }

    func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.running.value
    }
}
