import Foundation

/// When and how often a failed call is retried: capped exponential backoff with full jitter,
/// `Retry-After` as a lower bound, an attempt limit, a per-request deadline and a per-attempt timeout.
///
/// All retry timing decisions are made here, so the rest of the client only asks
/// ``delay(afterAttempt:retryAfter:jitter:)``.
public struct RetryPolicy: Sendable, Hashable {
    /// The most attempts one call makes, the first included. Default 5.
    public var maxAttempts: Int = 5
    /// The backoff ceiling before the first retry. Default 200 ms.
    public var initialBackoff: Duration = .milliseconds(200)
    /// The largest backoff ceiling. Default 10 s.
    public var maxBackoff: Duration = .seconds(10)
    /// The growth factor of the ceiling from one retry to the next. Default 2.
    public var multiplier: Double = 2
    /// The time one call may take in all, waits included. Default 60 s.
    public var deadline: Duration = .seconds(60)
    /// The time one HTTP attempt may take. Default 10 s.
    public var attemptTimeout: Duration = .seconds(10)
    /// What to do after an in-doubt Start attempt (written, then a timeout, a reset or 500/502/504): the
    /// job may have started. Default ``InDoubtPolicy/retry``.
    public var inDoubt: InDoubtPolicy = .retry

    /// What the client does after an attempt whose request was written but whose fate is unknown.
    public enum InDoubtPolicy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Try again (a second job may start; the attempt is counted in `inDoubtAttempts`).
        case retry
        /// End the call with category `in_doubt`, so that nothing can start twice.
        case fail

        /// `retry` or `fail`.
        public var description: String { self.rawValue }
    }

    /// Creates the default policy; change the properties as needed.
    public init() {}

    /// The backoff ceiling after attempt `attempt` failed: `initialBackoff × multiplier^(attempt-1)`,
    /// capped at `maxBackoff`.
    /// - Parameter attempt: The number of the attempt that failed, from 1.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(max(attempt, 1) - 1)
        let seconds = self.initialBackoff.inSeconds * Foundation.pow(self.multiplier, exponent)
        return min(Duration.fromSeconds(seconds), self.maxBackoff)
    }

    /// The wait before the next attempt: full jitter below the ceiling, never below `retryAfter`.
    /// - Parameters:
    ///   - attempt: The number of the attempt that failed, from 1.
    ///   - retryAfter: The server's `Retry-After`, when it sent one.
    ///   - jitter: A uniformly random number in `0...1`.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, jitter: Double) -> Duration {
        let fraction = min(max(jitter, 0), 1)
        let jittered = Duration.fromSeconds(self.backoffCeiling(afterAttempt: attempt).inSeconds * fraction)
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }
}
