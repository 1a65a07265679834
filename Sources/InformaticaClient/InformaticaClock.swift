public import Foundation

/// The time source and sleeper the client uses for backoff, deadlines, session refresh,
/// rate limiting and the circuit breaker.
///
/// Production code uses ``SystemClock``; tests inject a manual clock so that timing logic is
/// checked without real sleeping.
public protocol InformaticaClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date

    /// Suspends the caller for `duration`.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: InformaticaClock {
    /// Creates the system clock.
    public init() {}

    /// The current wall-clock time.
    public func now() -> Date { Date() }

    /// Sleeps with `Task.sleep(for:)`.
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var inSeconds: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration from a floating-point number of seconds, rounded to whole microseconds
    /// (dates carry no finer precision); negative values become zero, values past `Int64.max` microseconds
    /// (about 292,000 years, e.g. from a far-future date) that many.
    static func fromSeconds(_ seconds: Double) -> Duration {
        guard seconds > 0, !seconds.isNaN else { return .zero }
        let microseconds = (seconds * 1e6).rounded()
        // `Double(Int64.max)` rounds up to 2^63, which does not convert back: compare with `<`.
        guard microseconds < Double(Int64.max) else { return .microseconds(Int64.max) }
        return .microseconds(Int64(microseconds))
    }
}

extension Date {
    /// This date moved by `duration`.
    func adding(_ duration: Duration) -> Date {
        self.addingTimeInterval(duration.inSeconds)
    }

    /// The duration from `earlier` to this date (zero when `earlier` is later).
    func duration(since earlier: Date) -> Duration {
        .fromSeconds(self.timeIntervalSince(earlier))
    }
}
