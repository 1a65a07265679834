@testable import Kafka
import Testing

/// The consumer's rebalance decisions and its per-assignment generations, without a broker.
@Suite("Kafka rebalance units")
struct RebalanceUnitTests {
    private let p0 = TopicPartition(topic: "t", partition: 0)
    private let p1 = TopicPartition(topic: "t", partition: 1)

    private func message(_ partition: TopicPartition, _ offset: Int64) -> KafkaMessage {
        KafkaMessage(topicPartition: partition, offset: offset, key: nil, value: [])
    }

    /// Issue 19 item 9: records fetched before a revoke, then admitted after the same partition was assigned
    /// again (one fetch loop, or one iterator buffer), belong to the old assignment and are dropped; records
    /// fetched after the re-assignment are delivered.
    @Test func recordsFetchedBeforeARevokeAreDroppedAfterAReassign() {
        var state = ConsumerState()
        state.assign([p0, p1])
        let early = [state.fetched(message(p0, 10)), state.fetched(message(p1, 20))]
        state.revoke([p0])
        state.assign([p0])
        let late = state.fetched(message(p0, 7))
        let admitted = state.admit(early + [late]).map { "\($0.message.partition):\($0.message.offset)" }
        #expect(admitted == ["1:20", "0:7"], "the record of p0 fetched before its revocation was delivered")
        // The iterator checks records one by one, too.
        #expect(state.disposition(of: early[0]) == .drop)
        #expect(state.disposition(of: early[1]) == .deliver, "a partition that stayed assigned keeps its records")
        #expect(state.disposition(of: late) == .deliver)
    }

    /// A held record of a paused partition is not released into a later assignment of the same partition.
    @Test func heldRecordsDoNotSurviveAReassign() {
        var state = ConsumerState()
        state.assign([p0])
        state.pause([p0])
        #expect(state.admit([state.fetched(message(p0, 1))]).isEmpty)
        state.revoke([p0])
        state.assign([p0])
        #expect(state.admit([]).isEmpty)
        #expect(state.held.isEmpty)
    }

    /// Issue 19 item 5: a rebalance error drops the assignment, and the listener hears of it as lost before
    /// the partitions are unassigned (it used to be unassigned silently, so the application kept starting and
    /// committing work of partitions it no longer owned).
    @Test func aRebalanceErrorReportsTheAssignmentLostBeforeUnassigning() {
        let steps = RebalanceStep.plan(.failed, partitions: [], assigned: [p1, p0], commitOnRevoke: true)
        #expect(steps == [.notify(.lost([p0, p1])), .forget([p0, p1]), .unassignAll])
        #expect(RebalanceStep.plan(.failed, partitions: [], assigned: [], commitOnRevoke: true) == [.unassignAll],
                "nothing assigned: nothing to report")
    }

    /// The ordinary callbacks keep their order: state before librdkafka on assignment, the listener before the
    /// commit and the hand-over on revocation, no commit for lost partitions.
    @Test func assignAndRevokeStepsKeepTheirOrder() {
        #expect(RebalanceStep.plan(.assign, partitions: [p0], assigned: [], commitOnRevoke: true)
                == [.recordAssigned([p0]), .applyChange, .resume, .notify(.assigned([p0]))])
        #expect(RebalanceStep.plan(.revoke(lost: false), partitions: [p0], assigned: [p0], commitOnRevoke: true)
                == [.notify(.revoked([p0])), .commitStored, .forget([p0]), .applyChange])
        #expect(RebalanceStep.plan(.revoke(lost: true), partitions: [p0], assigned: [p0], commitOnRevoke: true)
                == [.notify(.lost([p0])), .forget([p0]), .applyChange])
        #expect(RebalanceStep.plan(.revoke(lost: false), partitions: [p0], assigned: [p0], commitOnRevoke: false)
                == [.notify(.revoked([p0])), .forget([p0]), .applyChange])
    }
}
