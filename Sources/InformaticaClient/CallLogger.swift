import Logging

/// A logger plus one call's metadata (code task id, job id), merged only when a line is actually logged.
///
/// Setting metadata on a `Logger` costs work on every call even when nothing is logged
/// (some handlers render it eagerly); this keeps the success path free of that cost.
struct CallLogger {
    let logger: Logger
    let metadata: [String: String]

    /// Logs at debug level with the call's metadata and `extra`.
    func debug(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        self.logger.debug(message(), metadata: self.merged(extra()))
    }

    /// Logs at info level with the call's metadata and `extra`.
    func info(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        self.logger.info(message(), metadata: self.merged(extra()))
    }

    private func merged(_ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata = extra
        for (key, value) in self.metadata where metadata[key] == nil { metadata[key] = "\(value)" }
        return metadata
    }
}
