public import Logging
import Synchronization

/// Collects every log line (message and metadata) so tests can assert that no secret was logged.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// Creates an empty capture.
    public init() {}

    /// A trace-level logger that writes into this capture.
    public func logger(_ label: String = "test") -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far.
    public var text: String { self.lines.withLock { $0.joined(separator: "\n") } }

    /// How many lines were logged.
    public var count: Int { self.lines.withLock { $0.count } }

    fileprivate func append(_ line: String) {
        self.lines.withLock { $0.append(line) }
    }

    /// Whether any of the secrets appears in the logs.
    public func containsAny(of secrets: [String]) -> Bool {
        let text = self.text
        return secrets.contains { !$0.isEmpty && text.contains($0) }
    }
}

private struct CapturingHandler: LogHandler {
    let label: String
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.capture.append("\(event.level) \(self.label) \(event.message) \(merged)")
    }
}
