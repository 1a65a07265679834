/// A member's share of a group-wide Start rate limit (`--rate-limit-scope group`): the input partitions it owns
/// over the input topic's partitions. The members' shares add up to the whole budget once the assignment is
/// complete; while partitions are unowned (a killed member's, until the group reassigns them) the group runs
/// below the budget, never above it.
enum RateLimitShare {
    /// The share, 0...1: 0 for a member that owns nothing, 1 when it owns every partition (or more than the
    /// topic had at start-up: partitions added since), and 0 when the topic's size is unknown or not positive.
    static func of(owned: Int, partitions: Int) -> Double {
        guard partitions > 0, owned > 0 else { return 0 }
        return min(1, Double(owned) / Double(partitions))
    }
}
