/// A per-process token bucket on Start calls.
public struct RateLimitSettings: Sendable, Hashable {
    /// Start calls allowed per second on average.
    public var startsPerSecond: Double
    /// How many calls may go at once after a quiet spell. Default 1.
    public var burst: Int

    /// Creates a rate limit.
    /// - Parameters:
    ///   - startsPerSecond: Start calls allowed per second on average.
    ///   - burst: How many calls may go at once after a quiet spell.
    public init(startsPerSecond: Double, burst: Int = 1) {
        self.startsPerSecond = startsPerSecond
        self.burst = burst
    }
}
