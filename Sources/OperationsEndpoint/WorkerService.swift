public import CodetaskWorker
public import ServiceLifecycle

/// The worker as a service of a `ServiceGroup`: the group's graceful shutdown (first SIGTERM/SIGINT) starts the
/// worker's own bounded stop (``Worker/shutdown()``); `run()` returns when the worker has left the group.
public struct WorkerService: Service {
    private let worker: Worker

    /// - Parameter worker: The worker to run.
    public init(worker: Worker) {
        self.worker = worker
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.worker.run()
        } onGracefulShutdown: {
            self.worker.shutdown()
        }
    }
}
