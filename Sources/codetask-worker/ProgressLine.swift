import Foundation
import Synchronization

/// A status line on standard output that rewrites itself on a terminal (carriage return, erase to end of line)
/// and is never shown on a pipe or file, so redirected output holds no control characters. A line printed
/// through ``print(_:)`` goes below the status line, which stays as it last was.
final class ProgressLine: Sendable {
    /// Whether standard output is a terminal.
    let isTerminal: Bool
    private let shown = Mutex(false)

    /// Carriage return and ANSI "erase to end of line".
    private static let clear = "\r\u{1B}[K"

    init(isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.isTerminal = isTerminal
    }

    /// Shows `text` in place of the current status line (terminal only).
    func update(_ text: String) {
        guard self.isTerminal else { return }
        self.shown.withLock { shown in
            Self.write(Self.clear + text)
            shown = true
        }
    }

    /// Prints a line of its own below the status line, which stays on screen as it last was.
    func print(_ line: String) {
        self.shown.withLock { shown in
            Self.write((shown ? "\n" : "") + line + "\n")
            shown = false
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
