/// A token bucket on Start calls: per process, or this member's share of a budget for the whole consumer group.
public struct RateLimitSettings: Sendable, Hashable {
    /// Whose budget ``startsPerSecond`` is.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// The whole consumer group's: each member runs at the budget times the share of the input partitions it
        /// owns (``InformaticaClient/setRateLimitShare(_:)``), so the group together stays within it.
        case group
        /// This process's alone: N members send up to N times the budget.
        case member
    }

    /// Start calls allowed per second on average (the whole group's, with scope ``Scope/group``).
    public var startsPerSecond: Double
    /// How many calls may go at once after a quiet spell (the whole group's, with scope ``Scope/group``).
    /// Default 1.
    public var burst: Int
    /// Whose budget it is. Default ``Scope/member``: a client alone has nobody to share with.
    public var scope: Scope

    /// Creates a rate limit.
    /// - Parameters:
    ///   - startsPerSecond: Start calls allowed per second on average.
    ///   - burst: How many calls may go at once after a quiet spell.
    ///   - scope: Whose budget it is.
    public init(startsPerSecond: Double, burst: Int = 1, scope: Scope = .member) {
        self.startsPerSecond = startsPerSecond
        self.burst = burst
        self.scope = scope
    }
}
