@testable import CodetaskWorker
import Testing

@Suite("A group rate limit's shares")
struct RateLimitShareTests {
    @Test("12 partitions over 5 members: shares 3,3,2,2,2 of 12 add up to the whole budget; a member with none gets 0")
    func unevenAssignment() {
        let owned = [3, 3, 2, 2, 2]
        let shares = owned.map { RateLimitShare.of(owned: $0, partitions: 12) }
        #expect(shares.map { $0 * 30 } == [7.5, 7.5, 5, 5, 5], "--rate-limit 30 split by assignment")
        #expect(abs(shares.reduce(0, +) - 1) < 1e-12)
        #expect(RateLimitShare.of(owned: 0, partitions: 12) == 0)
    }

    @Test("total on odd inputs: more owned than the topic had, an unknown or empty topic, negative counts")
    func oddInputs() {
        #expect(RateLimitShare.of(owned: 13, partitions: 12) == 1)
        #expect(RateLimitShare.of(owned: 3, partitions: 0) == 0)
        #expect(RateLimitShare.of(owned: 3, partitions: -1) == 0)
        #expect(RateLimitShare.of(owned: -2, partitions: 12) == 0)
        #expect(RateLimitShare.of(owned: Int.max, partitions: Int.max) == 1)
    }
}
