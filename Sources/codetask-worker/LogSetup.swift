import Foundation
import Logging

/// The command line's logging on standard error (stdout stays for reports): readable text lines on a
/// terminal, JSON lines otherwise (``JSONLogHandler``), at one level.
enum LogSetup {
    /// The line format.
    enum Format: String, CaseIterable {
        case text, json

        /// JSON unless standard error is a terminal.
        static var automatic: Format { isatty(STDERR_FILENO) == 1 ? .text : .json }
    }

    /// Installs the handler; call once, before the first logger is made.
    static func bootstrap(level: Logger.Level, format: Format = .text) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
