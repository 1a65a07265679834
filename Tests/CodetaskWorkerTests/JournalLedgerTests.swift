@testable import CodetaskWorker
import Foundation
import Kafka
import Testing

@Suite("The journal ledger's recoveries, without a broker")
struct JournalLedgerTests {
    private static let input = TopicPartition(topic: "requests", partition: 3)

    private static func source(_ offset: Int64) -> RecordSource {
        RecordSource(topic: input.topic, partition: input.partition, offset: offset)
    }

    /// A scan of open attempts (input offset, member) written at journal offsets from `first`.
    private static func scan(_ attempts: [(Int64, String)], first: Int64) -> JournalScan {
        let records = attempts.enumerated().map { index, attempt in
            let message = JournalEntry(.attempt, source: source(attempt.0), requestId: nil, member: attempt.1, at: Date())
                .message(journalTopic: "journal")
            return KafkaMessage(
                topicPartition: TopicPartition(topic: "journal", partition: input.partition), offset: first + Int64(index),
                key: message.key, value: message.value)
        }
        var scan = JournalScan()
        scan.apply(records, end: first + Int64(records.count), input: input, committed: nil)
        return scan
    }

    /// Issue 19 item 10: a recovery read that ran while its partition was revoked and assigned again ends after
    /// the newer one; it used to overwrite the newer recovery (its attempts, read start and in-doubt records).
    @Test func aRecoveryForAnEarlierAssignmentIsIgnored() {
        let ledger = JournalLedger()
        ledger.assigning([Self.input], epoch: 1)
        ledger.assigning([Self.input], epoch: 2)
        #expect(ledger.recovered(Self.input, epoch: 2, scan: Self.scan([(20, "b")], first: 300), member: "me", outputTopic: "out")?.keys.sorted() == [20])
        #expect(ledger.recovered(Self.input, epoch: 1, scan: Self.scan([(10, "a")], first: 100), member: "me", outputTopic: "out") == nil,
                "the stale recovery was applied")
        #expect(ledger.readStart(Self.input, committed: 10) == 300, "the read start comes from the stale recovery")
        #expect(ledger.takeInDoubt(Self.source(10)) == nil, "the stale recovery's attempt became in doubt")
        #expect(ledger.takeInDoubt(Self.source(20))?.member == "b", "the current recovery's in-doubt record was lost")
    }

    /// The same when the newer assignment's recovery ends first without the older having been told of it.
    @Test func aLaterRecoveryAloneMakesTheEarlierStale() {
        let ledger = JournalLedger()
        _ = ledger.recovered(Self.input, epoch: 5, scan: Self.scan([(20, "b")], first: 300), member: "me", outputTopic: "out")
        #expect(ledger.recovered(Self.input, epoch: 4, scan: Self.scan([(10, "a")], first: 100), member: "me", outputTopic: "out") == nil)
        #expect(ledger.recovered(Self.input, epoch: 6, scan: Self.scan([(30, "c")], first: 400), member: "me", outputTopic: "out") != nil,
                "a later assignment's recovery applies")
        #expect(ledger.takeInDoubt(Self.source(30))?.member == "c")
    }

    /// This member's own open attempt is in doubt unless its job still runs; decided with the running jobs under
    /// one lock (the job's own outcome settles a running one).
    @Test func ownRunningAttemptsAreNotInDoubt() {
        let ledger = JournalLedger()
        ledger.began(Self.source(11))
        let inDoubt = ledger.recovered(Self.input, epoch: 1, scan: Self.scan([(11, "me"), (12, "me"), (13, "other")], first: 0), member: "me", outputTopic: "out")
        #expect(inDoubt?.keys.sorted() == [12, 13])
        ledger.ended(Self.source(11), leaving: .inDoubt(JournalLedger.InDoubt(member: "me", at: "t")))
        #expect(ledger.takeInDoubt(Self.source(11))?.at == "t", "a job that ended in doubt after the recovery keeps its mark")
    }
}

extension JournalLedger {
    /// The in-doubt attempt a record's next job would inherit (taken), `nil` for none or a decided outcome.
    func takeInDoubt(_ source: RecordSource) -> InDoubt? {
        guard case .inDoubt(let attempt)? = self.takeEarlier(source) else { return nil }
        return attempt
    }
}
