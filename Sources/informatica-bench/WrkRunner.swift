import Foundation

/// Runs wrk with a Lua script that sends the seed's Start request, and reads its rate.
struct WrkRunner {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var path: String
    var threads: Int
    var connections: Int
    var seconds: Int

    /// Returns wrk's requests per second; fails when wrk saw non-2xx answers or socket errors.
    func run(url: String, sessionId: String, codeTaskId: String) throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent(
            "informatica-start-\(ProcessInfo.processInfo.processIdentifier).lua"
        )
        try Self.script(sessionId: sessionId, codeTaskId: codeTaskId).write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.path)
        process.arguments = ["-t", String(self.threads), "-c", String(self.connections), "-d", "\(self.seconds)s", "-s", script.path, url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failure(description: "wrk exited with \(process.terminationStatus): \(text)") }
        if text.contains("Non-2xx") || text.contains("Socket errors") {
            throw Failure(description: "wrk saw errors:\n\(text)")
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else { throw Failure(description: "no Requests/sec in wrk's output:\n\(text)") }
        return rate
    }

    /// The Lua script: the seed's method, headers and body.
    static func script(sessionId: String, codeTaskId: String) -> String {
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Accept"] = "application/json"
        wrk.headers["IDS-SESSION-ID"] = "\(sessionId)"
        wrk.body = '{"codeTaskId": "\(codeTaskId)"}'
        """
    }
}
