import Foundation

/// Unbuffered output for the benchmark: results go to stdout, progress to stderr, both written at once
/// (`write(2)`, no stdio buffer), so nothing is lost when the run is cut short or its output is piped.
enum BenchOutput {
    /// Writes one result line to stdout.
    static func result(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes one progress line, prefixed with the time since the run started, to stderr.
    static func progress(_ line: String) {
        let elapsed = String(format: "%7.2f", seconds(since: runStart))
        FileHandle.standardError.write(Data("[kafka-bench \(elapsed)s] \(line)\n".utf8))
    }

    private static let runStart = ContinuousClock.now
}

/// A benchmark step that failed or ran out of time; its description says which and how far it got.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reports a count's progress in steps of a tenth of the total (and once when it is complete).
struct ProgressReporter {
    private let label: String
    private let total: Int
    private var nextMark: Int

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
        self.nextMark = max(1, total / 10)
    }

    /// Prints a line when `done` has passed the next tenth.
    mutating func update(_ done: Int) {
        guard done >= nextMark else { return }
        BenchOutput.progress("\(label): \(done) of \(total)")
        while nextMark <= done { nextMark += max(1, total / 10) }
    }
}

/// A time limit for one benchmark step.
struct Deadline {
    let limit: Duration
    let start = ContinuousClock.now

    /// Whether the limit has passed.
    var hasPassed: Bool { ContinuousClock.now - start > limit }

    /// Throws a ``BenchFailure`` naming `what` (and how far it got) once the limit has passed.
    func check(_ what: @autoclosure () -> String) throws {
        if hasPassed { throw BenchFailure("timed out after \(limit): \(what())") }
    }
}

/// Seconds elapsed since `start`, as a floating-point number.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
