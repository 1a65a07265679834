import Foundation

/// The release `codetask-worker run` as a child process, configured through its environment variables.
struct WorkerChild {
    let process: Process

    /// The `codetask-worker` binary next to this one.
    static func binary() throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/codetask-worker"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("\(path) is missing: run swift build -c release --product codetask-worker first")
        }
        return path
    }

    /// Starts the worker with these `CODETASK_*` settings (its log, warnings and above, goes to stderr).
    static func launch(binary: String, settings: [String: String]) throws -> WorkerChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CODETASK_") && !$0.key.hasPrefix("OTEL_") }
        environment.merge(settings) { $1 }
        process.environment = environment
        try process.run()
        return WorkerChild(process: process)
    }

    var pid: Int32 { self.process.processIdentifier }

    /// Sends SIGTERM and waits for the exit (at most `timeout`); kills it after that.
    /// - Returns: Whether it exited with status 0 in time.
    func stop(timeout: Duration) async -> Bool {
        kill(self.pid, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !self.process.isRunning else {
            kill(self.pid, SIGKILL)
            return false
        }
        return self.process.terminationStatus == 0
    }
}

/// A benchmark step that failed.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
