import ArgumentParser
import Foundation
import InformaticaClient
import InformaticaSimulator
import Logging

/// Measures Start calls per second of the client against the simulator (zero latency, keep-alive),
/// and of wrk sending the same request over the same number of connections, in one run.

@main
struct InformaticaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informatica-bench",
        abstract: "Start calls per second: InformaticaClient vs wrk against the simulator. Build with -c release."
    )

    @Option(help: "Keep-alive connections (client pool limit, wrk -c).") var connections = 16
    @Option(help: "Seconds measured per contender.") var duration = 10
    @Option(help: "Seconds of warm-up before the client run.") var warmup = 2
    @Option(help: "wrk threads.") var wrkThreads = 2
    @Option(help: "Path of the wrk binary.") var wrk = "/usr/bin/wrk"
    @Option(help: "Use a running simulator at this URL instead of an in-process one.") var simulatorURL: String?

    func run() async throws {
        try await self.measure()
    }

    /// Runs both contenders and prints their rates and the ratio.
    func measure() async throws {
        var logger = Logger(label: "informatica-bench")
        logger.logLevel = .warning
        let simulator: InformaticaSimulator? = self.simulatorURL == nil ? try await InformaticaSimulator.start(logger: logger) : nil
        let baseURL = self.simulatorURL ?? simulator!.baseURL
        let credentials = Credentials(username: "sim-user", password: Secret("sim-password"))
        print("simulator: \(baseURL) (zero latency), connections: \(self.connections), duration: \(self.duration) s")

        let clientRate = try await self.measureClient(baseURL: baseURL, credentials: credentials, logger: logger)
        print(String(format: "InformaticaClient: %.0f Start calls/s", clientRate))

        let sessionId = try await BenchLogin.sessionId(baseURL: baseURL, credentials: credentials)
        let rawRate = try await RawStartLoop(
            url: baseURL + "/disnext/api/v1/CodeTask/Start",
            sessionId: sessionId,
            connections: self.connections
        )
        .run(seconds: self.duration)
        print(String(format: "AsyncHTTPClient alone (same request, no client logic): %.0f Start calls/s", rawRate))
        let address = URLComponents(string: baseURL)
        let nioRate = try await NIOBaselineLoop(
            host: address?.host ?? "127.0.0.1",
            port: address?.port ?? 80,
            sessionId: sessionId,
            connections: self.connections
        ).run(seconds: self.duration)
        print(String(format: "bare SwiftNIO channels (same request, no Swift concurrency): %.0f Start calls/s", nioRate))
        let wrkRate = try WrkRunner(path: self.wrk, threads: self.wrkThreads, connections: self.connections, seconds: self.duration)
            .run(url: baseURL + "/disnext/api/v1/CodeTask/Start", sessionId: sessionId, codeTaskId: "bench-task")
        print(String(format: "wrk:               %.0f Start calls/s", wrkRate))
        print(String(format: "ratio client/wrk:  %.2f (target >= 0.70)", clientRate / wrkRate))
        try await simulator?.shutdown()
    }

    /// Runs `connections` concurrent loops of Start calls; returns successful calls per second.
    private func measureClient(baseURL: String, credentials: Credentials, logger: Logger) async throws -> Double {
        var configuration = InformaticaConfiguration(
            session: .identityService(loginURL: baseURL, serverURL: baseURL, credentials: credentials)
        )
        configuration.http.maxConnectionsPerHost = self.connections
        let client = try InformaticaClient(configuration: configuration, logger: logger)
        _ = try await self.loop(client, seconds: self.warmup)
        let started = ContinuousClock.now
        let (succeeded, failed) = try await self.loop(client, seconds: self.duration)
        let elapsed = (ContinuousClock.now - started).components
        await client.shutdown()
        if failed > 0 { print("InformaticaClient: \(failed) calls failed") }
        return Double(succeeded) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    private func loop(_ client: InformaticaClient, seconds: Int) async throws -> (Int, Int) {
        let end = ContinuousClock.now + .seconds(seconds)
        return await withTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<self.connections {
                group.addTask {
                    var succeeded = 0
                    var failed = 0
                    while ContinuousClock.now < end {
                        if await client.startCodeTask(codeTaskId: "bench-\(worker)").jobId != nil { succeeded += 1 } else { failed += 1 }
                    }
                    return (succeeded, failed)
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
    }
}
