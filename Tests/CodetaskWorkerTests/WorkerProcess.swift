import Foundation
import KafkaTestSupport

/// The `codetask-worker run` executable as a child process pointed at a harness's broker and simulator.
final class WorkerProcess: Sendable {
    private let process: Process
    private let logPath: String

    private init(process: Process, logPath: String) {
        self.process = process
        self.logPath = logPath
    }

    /// The built executable next to the test bundle (or in `.build/debug`).
    static func executable() throws -> String {
        let testBinaryDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let candidates = [testBinaryDirectory + "/codetask-worker", packageRoot + "/.build/debug/codetask-worker"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure("codetask-worker is not built (looked at \(candidates)); run swift build first")
        }
        return path
    }

    /// Starts a worker process; its password comes from the environment, never from a flag.
    static func launch(
        _ harness: WorkerHarness, maxInFlight: Int = 4, arguments extra: [String] = [], environment more: [String: String] = [:]
    ) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = [
            "run", "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "reconnect.backoff.max.ms=1000",
            "--max-in-flight", String(maxInFlight), "--shutdown-grace", "10", "--commit-interval", "0.5",
        ] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["CODETASK_BROKERS"] = harness.broker.bootstrapServers
        environment["CODETASK_GROUP"] = harness.group
        environment["CODETASK_INPUT_TOPIC"] = harness.topics.input
        environment["CODETASK_OUTPUT_TOPIC"] = harness.topics.output
        environment["CODETASK_DLQ_TOPIC"] = harness.topics.deadLetter
        environment["CODETASK_JOURNAL_TOPIC"] = harness.topics.journal
        environment["CODETASK_LOGIN_MODE"] = "identity"
        environment["CODETASK_LOGIN_URL"] = harness.simulator.baseURL
        environment["CODETASK_SERVER_URL"] = harness.simulator.baseURL
        environment["CODETASK_USERNAME"] = harness.simulator.configuration.username
        environment["CODETASK_PASSWORD"] = harness.simulator.configuration.password
        environment["CODETASK_LOG_LEVEL"] = "notice"
        // Several workers run side by side: each takes a free port for its operations endpoint.
        environment["CODETASK_HTTP_ADDRESS"] = "127.0.0.1:0"
        process.environment = environment.merging(more) { $1 }
        let logPath = NSTemporaryDirectory() + "/\(uniqueName("worker-process")).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return WorkerProcess(process: process, logPath: logPath)
    }

    /// The process id.
    var pid: Int32 { self.process.processIdentifier }

    /// Whether the process is still running.
    var isRunning: Bool { self.process.isRunning }

    /// Sends a signal (nothing once the process has ended).
    func kill(_ signal: Int32) {
        guard self.process.isRunning else { return }
        Foundation.kill(self.process.processIdentifier, signal)
        if signal == SIGKILL { _ = self.waitForExit() }
    }

    /// Waits (at most `timeout` seconds) for the process to end and returns its exit status (-1 if it did
    /// not end; it is then killed).
    func waitForExit(timeout: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while self.process.isRunning, Date() < deadline { usleep(20_000) }
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
            return -1
        }
        return self.process.terminationStatus
    }

    /// Everything the process logged.
    func log() -> String {
        (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? ""
    }

    /// The last lines the process logged.
    func logTail() -> String {
        let text = (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}
