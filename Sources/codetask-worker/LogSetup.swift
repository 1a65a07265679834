import Logging

/// The command line's logging: plain lines on standard error at one level (stdout stays for reports).
enum LogSetup {
    /// Installs the handler; call once, before the first logger is made.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
