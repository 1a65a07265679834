import Foundation

/// A token bucket that hands out reservations: each call takes a token now or books the next free one,
/// so concurrent callers are spaced exactly `1 / rate` apart once the burst is used up.
///
/// Its rate and burst are a share of the configured ones (the whole budget unless a share is set), and an
/// answer that says "slow down" (`429` with `Retry-After`) holds every reservation until that time.
struct TokenBucket: Sendable {
    /// The configured budget.
    let fullRate: Double
    let fullBurst: Double
    private(set) var rate: Double
    private(set) var burst: Double
    private var tokens: Double
    private var last: Date?
    /// No reservation is usable before this time.
    private var heldUntil: Date?

    init(settings: RateLimitSettings) {
        self.fullRate = settings.startsPerSecond
        self.fullBurst = Double(settings.burst)
        self.rate = self.fullRate
        self.burst = self.fullBurst
        self.tokens = self.fullBurst
    }

    /// Takes a token and returns how long the caller must wait before using it,
    /// or `nil` (taking nothing) when that wait would exceed `maxWait` (always, with a share of 0).
    mutating func reserve(now: Date, maxWait: Duration) -> Duration? {
        self.refill(now: now)
        guard self.rate > 0 else { return nil }
        let held = max(0, self.heldUntil?.timeIntervalSince(now) ?? 0)
        let wait = held + (self.tokens >= 1 ? 0 : (1 - self.tokens) / self.rate)
        guard Duration.fromSeconds(wait) <= maxWait else { return nil }
        self.tokens -= 1
        return .fromSeconds(wait)
    }

    /// Runs at `share` (clamped to 0...1) of the budget from `now` on: the rate scales, the burst too (at least
    /// one call while the share is above 0, none at 0), and tokens beyond the new burst are dropped.
    mutating func setShare(_ share: Double, now: Date) {
        self.refill(now: now)
        let share = share.isFinite ? min(1, max(0, share)) : 0
        self.rate = self.fullRate * share
        self.burst = share > 0 ? max(1, (self.fullBurst * share).rounded(.down)) : 0
        self.tokens = min(self.tokens, self.burst)
    }

    /// Holds every reservation until `until` (a `Retry-After` from Informatica); an earlier hold is kept if later.
    /// Nothing is earned meanwhile, and after it the calls waiting are spaced at the rate again, not let go at once.
    mutating func hold(until: Date) {
        self.heldUntil = max(until, self.heldUntil ?? until)
        self.tokens = min(self.tokens, 1)
        self.last = max(until, self.last ?? until)
    }

    /// Adds the tokens earned since the last look. A clock that goes back earns nothing.
    private mutating func refill(now: Date) {
        if let last = self.last {
            let elapsed = max(0, now.timeIntervalSince(last))
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        }
        self.last = max(now, self.last ?? now)
    }
}
