import Foundation

/// A token bucket that hands out reservations: each call takes a token now or books the next free one,
/// so concurrent callers are spaced exactly `1 / rate` apart once the burst is used up.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: Date?

    init(settings: RateLimitSettings) {
        self.rate = settings.startsPerSecond
        self.burst = Double(settings.burst)
        self.tokens = Double(settings.burst)
    }

    /// Takes a token and returns how long the caller must wait before using it,
    /// or `nil` (taking nothing) when that wait would exceed `maxWait`.
    mutating func reserve(now: Date, maxWait: Duration) -> Duration? {
        if let last = self.last {
            let elapsed = max(0, now.timeIntervalSince(last))
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        }
        self.last = max(now, self.last ?? now)
        let wait = self.tokens >= 1 ? 0 : (1 - self.tokens) / self.rate
        guard Duration.fromSeconds(wait) <= maxWait else { return nil }
        self.tokens -= 1
        return .fromSeconds(wait)
    }
}
