import Foundation

/// Runs the `codetask-worker` executable to its end and collects what it printed (stdout and stderr together).
enum CommandRunner {
    /// Runs with only the given environment (plus PATH).
    /// - Parameter executable: Another program to run instead (e.g. `/usr/bin/script` around the worker).
    /// - Throws: When the process cannot start or does not end within `timeout` seconds (it is then killed).
    static func run(
        _ arguments: [String], environment: [String: String], timeout: Double = 30, executable: String? = nil
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? WorkerProcess.executable())
        process.arguments = arguments
        process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { $1 }
        let outputPath = NSTemporaryDirectory() + "/\(UUID().uuidString)-command-line.log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            throw Failure("codetask-worker \(arguments) did not end within \(timeout) s")
        }
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        return (process.terminationStatus, text)
    }

    /// Writes `text` to a new temporary file with the given extension and returns its path.
    static func temporaryFile(_ text: String, extension pathExtension: String) throws -> String {
        let path = NSTemporaryDirectory() + "/\(UUID().uuidString).\(pathExtension)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
