import Foundation
import Synchronization

/// Points of a request's life where a test may kill the worker (`kill -9` of itself), to prove what each kill
/// point leaves behind. Only debug builds have the seam: in a release build ``reach(_:)`` does nothing and the
/// variable is not read.
///
/// A test arms it with `CODETASK_TEST_CRASH_POINT=<point>:<n>`: the process kills itself when the `n`-th job
/// (counted from 1) reaches `point`.
enum CrashPoint: String, Sendable, CaseIterable {
    /// The journal attempt is acknowledged; no Start request was sent.
    case afterAttempt
    /// Informatica answered; nothing of the answer is durable yet.
    case afterAnswer
    /// The `answered` journal close carrying the outcome event is acknowledged; the event is not published.
    case afterClose
    /// The outcome event is acknowledged; the record's offset is not committed.
    case afterEvent

    #if DEBUG
    /// The armed point and count, from the environment.
    private static let armed: (point: CrashPoint, count: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["CODETASK_TEST_CRASH_POINT"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let point = CrashPoint(rawValue: String(parts[0])), let count = Int(parts[1]), count > 0 else {
            FileHandle.standardError.write(Data("CODETASK_TEST_CRASH_POINT: expected <point>:<n>, got \(text)\n".utf8))
            exit(64)
        }
        return (point, count)
    }()
    private static let reached = Atomic<Int>(0)

    /// A job reached `point`: the process ends here if this is the armed point's `n`-th time.
    static func reach(_ point: CrashPoint) {
        guard let armed, armed.point == point else { return }
        if self.reached.add(1, ordering: .relaxed).newValue == armed.count {
            FileHandle.standardError.write(Data("codetask-worker: test crash point \(point.rawValue) reached; kill -9\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
    #else
    /// Nothing in a release build.
    @inline(__always) static func reach(_ point: CrashPoint) {}
    #endif
}
