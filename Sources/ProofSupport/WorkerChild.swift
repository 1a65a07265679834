public import Foundation
import Synchronization

/// The worker processes started and not yet seen to end, for ``WorkerChild/killAllOnSignals()``.
private let liveChildren = Mutex<Set<Int32>>([])
/// The installed signal sources, kept alive (written only by ``WorkerChild/killAllOnSignals()``, at start-up).
nonisolated(unsafe) private var signalSources: [any DispatchSourceSignal] = []

/// `codetask-worker run` as a child process, configured through its `CODETASK_*` environment variables and
/// extra flags; used by the benchmark and by the proof runs (chaos, soak). The benchmark also runs another worker
/// program this way (its Python baseline), configured through the same variables.
public final class WorkerChild: @unchecked Sendable {
    /// The process (only read after launch; `Process` is thread-safe for the calls used here).
    public let process: Process

    private init(process: Process) {
        self.process = process
    }

    /// The `codetask-worker` binary next to the running executable.
    /// - Throws: ``ProofError`` when it is not built.
    public static func binary() throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/codetask-worker"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ProofError("\(path) is missing: build the codetask-worker product with the same configuration first")
        }
        return path
    }

    /// Starts `binary run` with these `CODETASK_*` settings and extra flags (given after the defaults, so they win).
    /// - Parameters:
    ///   - binary: The `codetask-worker` executable.
    ///   - settings: Environment variables, e.g. `CODETASK_BROKERS`; any other `CODETASK_*` and `OTEL_*` of this
    ///     process is removed.
    ///   - arguments: Flags after `run`.
    ///   - logPath: A file that receives the worker's standard output and error; `nil` inherits this process's.
    /// - Throws: When the process cannot be started or the log file cannot be made.
    public static func launch(
        binary: String, settings: [String: String], arguments: [String] = [], logPath: String? = nil
    ) throws -> WorkerChild {
        try self.launch(executable: binary, arguments: ["run"] + arguments, settings: settings, logPath: logPath)
    }

    /// Starts `executable` with these arguments and `CODETASK_*` settings, as ``launch(binary:settings:arguments:logPath:)``
    /// starts `codetask-worker run`.
    /// - Throws: When the process cannot be started or the log file cannot be made.
    public static func launch(
        executable: String, arguments: [String], settings: [String: String], logPath: String? = nil
    ) throws -> WorkerChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CODETASK_") && !$0.key.hasPrefix("OTEL_") }
        environment.merge(settings) { $1 }
        process.environment = environment
        if let logPath {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
        }
        try process.run()
        liveChildren.withLock { _ = $0.insert(process.processIdentifier) }
        return WorkerChild(process: process)
    }

    /// From now on SIGINT and SIGTERM `kill -9` every worker this process started, then end it (status 130), so an
    /// interrupted run leaves no worker behind.
    public static func killAllOnSignals() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                for pid in liveChildren.withLock({ $0 }) { kill(pid, SIGKILL) }
                exit(130)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// The process id.
    public var pid: Int32 { self.process.processIdentifier }

    /// Whether the process still runs.
    public var isRunning: Bool { self.process.isRunning }

    /// Sends SIGTERM and waits for the exit (at most `timeout`); kills it after that.
    /// - Returns: Whether it exited with status 0 in time.
    public func stop(timeout: Duration) async -> Bool {
        kill(self.pid, SIGTERM)
        guard await self.waitForExit(timeout: timeout) else {
            kill(self.pid, SIGKILL)
            return false
        }
        return self.exitedCleanly
    }

    /// Sends SIGKILL and waits until the process is gone.
    public func kill9() async {
        kill(self.pid, SIGKILL)
        _ = await self.waitForExit(timeout: .seconds(30))
    }

    /// Waits at most `timeout` for the process to end.
    /// - Returns: Whether it ended.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if !self.process.isRunning { liveChildren.withLock { _ = $0.remove(self.pid) } }
        return !self.process.isRunning
    }

    /// Whether the ended process exited with status 0 (not by a signal).
    public var exitedCleanly: Bool {
        !self.process.isRunning && self.process.terminationReason == .exit && self.process.terminationStatus == 0
    }

    /// How the ended process ended, e.g. `exit 0` or `signal 9`.
    public var ending: String {
        guard !self.process.isRunning else { return "running" }
        return self.process.terminationReason == .exit ? "exit \(self.process.terminationStatus)" : "signal \(self.process.terminationStatus)"
    }
}

/// A step of a proof run or benchmark that failed.
public struct ProofError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
    /// Creates an error with its text.
    public init(_ description: String) { self.description = description }
}
