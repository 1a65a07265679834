import ArgumentParser
import Foundation

/// A worker program the benchmark runs as its child process: a `codetask-worker` build's `run`, or the Python
/// baseline `scripts/baseline-worker.py` under an interpreter. Every one gets the same `CODETASK_*` settings.
struct BenchWorker: Sendable {
    /// What its result lines are prefixed with (when the run has more than one worker) and what the ratios name it.
    var label: String
    var executable: String
    var arguments: [String]

    /// `binary run`.
    static func build(_ binary: String, label: String) -> BenchWorker {
        BenchWorker(label: label, executable: binary, arguments: ["run"])
    }

    /// The Python baseline under `interpreter`, once the interpreter is seen to import its modules.
    /// - Throws: `ValidationError` with the script's message (the apt line that installs the modules) when it cannot.
    static func python(interpreter: String) throws -> BenchWorker {
        // The script's place in the package: Sources/worker-bench/<this file> → scripts/.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/baseline-worker.py").path
        guard FileManager.default.fileExists(atPath: script) else { throw ValidationError("--python: \(script) is missing") }
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw ValidationError("--python: \(interpreter) is not an executable file")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: interpreter)
        check.arguments = [script, "--check"]
        let errors = Pipe()
        check.standardError = errors
        do { try check.run() } catch { throw ValidationError("--python: cannot run \(interpreter): \(error)") }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        check.waitUntilExit()
        guard check.terminationReason == .exit, check.terminationStatus == 0 else {
            throw ValidationError("--python: \(message.isEmpty ? "\(script) --check failed under \(interpreter)" : message)")
        }
        return BenchWorker(label: "Python baseline", executable: interpreter, arguments: [script])
    }
}
