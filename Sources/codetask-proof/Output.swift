import Foundation

/// Writes a line to standard output at once (the runs are long and their output is often piped to a file).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
