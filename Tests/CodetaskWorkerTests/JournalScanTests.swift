@testable import CodetaskWorker
import Foundation
import Kafka
import Testing

@Suite("The attempt journal's bookkeeping, without a broker")
struct JournalScanTests {
    private static let input = TopicPartition(topic: "requests", partition: 2)

    /// Journal records of `entries`, at journal offsets from `first`.
    private static func records(_ entries: [(JournalEntry.Kind, Int64, String)], first: Int64 = 0) -> [KafkaMessage] {
        entries.enumerated().map { index, item in
            let source = RecordSource(topic: input.topic, partition: input.partition, offset: item.1)
            let entry = JournalEntry(item.0, source: source, requestId: "r-\(item.1)", member: item.2, at: Date())
            let message = entry.message(journalTopic: "journal")
            return KafkaMessage(
                topicPartition: TopicPartition(topic: "journal", partition: input.partition), offset: first + Int64(index),
                key: message.key, value: message.value)
        }
    }

    @Test("an attempt with an outcome is finished, without one it is open, released ones are neither; the committed part is skipped")
    func classifies() {
        var scan = JournalScan()
        let records = Self.records([
            (.attempt, 4, "a"), (.outcome, 4, "a"),      // below the committed position: ignored
            (.attempt, 10, "a"), (.outcome, 10, "a"),    // finished, not committed
            (.attempt, 11, "a"),                          // in doubt
            (.attempt, 12, "a"), (.released, 12, "a"),   // never acted on
            (.attempt, 13, "a"), (.attempt, 13, "b"),    // two open attempts: the earliest journal offset, the latest maker
            (.attempt, 15, "a"),                          // finished per the commit's metadata
        ], first: 100)
        scan.apply(records, end: 111, input: Self.input, committed: CommitPoint(offset: 10, finished: [15]))
        #expect(scan.finished == [10])
        #expect(Set(scan.open.keys) == [11, 13])
        #expect(scan.open[11]?.journalOffset == 104)
        #expect(scan.open[13]?.journalOffset == 107)
        #expect(scan.open[13]?.member == "b")
        #expect(scan.attempts == [10: 102, 11: 104, 12: 105, 13: 107, 15: 109], "every attempt above the position, finished or not")
        #expect(scan.end == 111)
    }

    @Test("an answered close stores the outcome event whole: the next owner publishes those bytes again and starts nothing")
    func answeredCloseCarriesTheEvent() throws {
        let event = KafkaOutgoingMessage(
            topic: "events", key: Array("ct-7".utf8), value: Array(#"{"jobId":"j-1","sparkCodeTaskResponseBody":"\u0000"}"#.utf8),
            headers: [KafkaHeader(name: "ce_id", value: Array("r-7/codetask.job.started".utf8)), KafkaHeader(name: "traceparent", value: nil)])
        let source = RecordSource(topic: Self.input.topic, partition: Self.input.partition, offset: 7)
        let close = JournalEntry(.answered, source: source, requestId: "r-7", member: "a", at: Date())
            .answeredMessage(journalTopic: "journal", event: event)
        #expect(close.partition == Self.input.partition && close.key == Array(source.description.utf8), "the attempt's key: compaction keeps the close")
        let read = KafkaMessage(
            topicPartition: TopicPartition(topic: "journal", partition: Self.input.partition), offset: 101,
            key: close.key, value: close.value, headers: close.headers)
        #expect(JournalEntry(read)?.kind == .answered)
        #expect(JournalEntry.storedEvent(in: read, outputTopic: "events") == event, "the same topic, key, value and headers")
        var attempt = Self.records([(.attempt, 7, "a"), (.attempt, 8, "a")], first: 100)
        attempt.insert(read, at: 1)
        var scan = JournalScan()
        scan.apply(attempt, end: 103, input: Self.input, committed: CommitPoint(offset: 5, finished: []))
        #expect(scan.finished == [7] && scan.answered[7] == read && Set(scan.open.keys) == [8])
        var ledger = JournalLedger()
        let recovery = JournalRecovery(scan, member: "b", outputTopic: "events")
        #expect(recovery.decided[7] == event && recovery.open[8]?.mine == false)
        ledger.recovered(recovery, running: { _ in false })
        #expect(ledger.takeEarlier(source.offset) == .decided(event: event), "the record's next job publishes the stored event")
        // An outcome close after it (the event was acknowledged) leaves nothing to publish again.
        scan.apply(Self.records([(.outcome, 7, "a")], first: 103), end: 104, input: Self.input, committed: CommitPoint(offset: 5, finished: []))
        #expect(scan.finished.contains(7) && scan.answered[7] == nil)
        // A record that is not a journal entry, whatever its headers say, is ignored.
        var foreign = read
        foreign.headers = [KafkaHeader(name: JournalEntry.entryHeader, value: Array("not json".utf8))]
        #expect(JournalEntry(foreign) == nil)
    }

    @Test("after recovery, a commit of the same position still sends the next owner to the outcomes above it")
    func recoveredReadStartCoversFinished() {
        // Found by the chaos runner: a member that recovered a partition and released it at once (a worker joining,
        // then leaving) committed the same position with a read start past the outcomes of records finished above it;
        // where the commit's metadata did not carry them (Tansu drops it; a long list is cut), the next owner
        // started them again.
        var scan = JournalScan()
        let records = Self.records([
            (.attempt, 10, "a"), (.attempt, 11, "a"), (.outcome, 11, "a"), (.attempt, 12, "a"), (.outcome, 12, "a"),
        ], first: 100)
        scan.apply(records, end: 105, input: Self.input, committed: CommitPoint(offset: 10, finished: [12]))
        var ledger = JournalLedger()
        ledger.recovered(JournalRecovery(scan, member: "a", outputTopic: "out"), running: { _ in false })
        #expect(ledger.readStart(committed: 10, running: []) == 100, "offset 10 is open: its attempt")
        #expect(ledger.readStart(committed: 11, running: []) == 101, "offset 11 finished above the position: its attempt")
        #expect(ledger.readStart(committed: 12, running: []) == 103, "offset 12 finished per the metadata only: its attempt too")
        #expect(ledger.readStart(committed: 13, running: []) == 105, "everything committed: the end")
    }

    @Test("entries of another input topic or partition, damaged values and tombstones are ignored")
    func ignoresForeignRecords() {
        var scan = JournalScan()
        let other = JournalEntry(.attempt, source: RecordSource(topic: "other", partition: 2, offset: 20), requestId: nil,
                                 member: "a", at: Date()).message(journalTopic: "journal")
        let foreign = [
            KafkaMessage(topicPartition: TopicPartition(topic: "journal", partition: 2), offset: 0, key: nil, value: other.value),
            KafkaMessage(topicPartition: TopicPartition(topic: "journal", partition: 2), offset: 1, key: nil, value: Array("{\"kind\":".utf8)),
            KafkaMessage(topicPartition: TopicPartition(topic: "journal", partition: 2), offset: 2, key: nil, value: [0xFF, 0xFE]),
        ]
        scan.apply(foreign, end: 3, input: Self.input, committed: nil)
        #expect(scan.open.isEmpty && scan.finished.isEmpty)
        #expect(scan.end == 3)
    }

    @Test("other members' open attempts are waited for whatever their writers' clocks said; closed ones and own ones are not")
    func foreignOpenAttempts() {
        var scan = JournalScan()
        scan.apply(Self.records([(.attempt, 1, "me"), (.attempt, 2, "other"), (.attempt, 3, "third"), (.outcome, 3, "third")]),
                   end: 4, input: Self.input, committed: nil)
        #expect(scan.foreignOpenAttempts(notBy: "me") == 1)
        #expect(scan.foreignOpenAttempts(notBy: "other") == 1)
        // A writer whose clock is a day behind (or ahead) is waited for all the same.
        for skew in [-86_400.0, 86_400.0] {
            let source = RecordSource(topic: Self.input.topic, partition: Self.input.partition, offset: 9)
            let message = JournalEntry(.attempt, source: source, requestId: "r-9", member: "skewed", at: Date() + skew).message(journalTopic: "journal")
            var skewed = JournalScan()
            skewed.apply([KafkaMessage(topicPartition: TopicPartition(topic: "journal", partition: Self.input.partition), offset: 0,
                                       key: message.key, value: message.value)], end: 1, input: Self.input, committed: nil)
            #expect(skewed.foreignOpenAttempts(notBy: "me") == 1, "skew \(skew) s")
        }
    }

    @Test("the journal read start: the earliest attempt at or above the committed offset (finished ones too, and running jobs' floors), else the end; attempts below are forgotten")
    func readStart() {
        var ledger = JournalLedger()
        #expect(ledger.readStart(committed: 0, running: []) == nil)
        ledger.jobEnded(5, JobJournalReport(attemptOffset: 40, end: 41))
        ledger.jobEnded(6, JobJournalReport(attemptOffset: 41, end: 43))
        // Offset 5 is unfinished at this position: read from its attempt.
        #expect(ledger.readStart(committed: 5, running: []) == 40)
        // Offset 6 finished above the position: its outcome must still be read (the commit's metadata may not
        // reach the next owner), so the read starts at its attempt.
        #expect(ledger.readStart(committed: 6, running: []) == 41)
        // Both committed: nothing open, read from the end; a running job's floor comes first, an unknown one
        // sends the next owner to the whole journal.
        #expect(ledger.readStart(committed: 7, running: []) == 43)
        #expect(ledger.readStart(committed: 7, running: [42]) == 42)
        #expect(ledger.readStart(committed: 7, running: [42, nil]) == nil)
        ledger.committed(7)
        #expect(ledger.readStart(committed: 5, running: []) == 43, "forgotten once committed")
    }

    @Test("the commit metadata carries the journal read start beside the finished offsets, and older metadata still reads")
    func metadata() {
        let point = CommitPoint(offset: 100, finished: [102, 103])
        let text = CommitMetadata.encode(point, journalStart: 7_000)
        #expect(text == "cw1:2-3;j=7000")
        #expect(CommitMetadata.decode(text, offset: 100) == [102, 103])
        #expect(CommitMetadata.journalStart(in: text) == 7_000)
        #expect(CommitMetadata.encode(CommitPoint(offset: 5, finished: []), journalStart: 9) == "cw1:;j=9")
        #expect(CommitMetadata.decode("cw1:;j=9", offset: 5).isEmpty)
        #expect(CommitMetadata.journalStart(in: "cw1:2-3") == nil)
        #expect(CommitMetadata.journalStart(in: "cw1:;j=-4") == nil)
        #expect(CommitMetadata.journalStart(in: "foreign;j=4") == nil)
    }

    @Test("a checkpoint is keyed per partition, carries its read start, and is not an attempt; the latest at or below the committed offset counts")
    func checkpoints() {
        let checkpoint = { (offset: Int64, start: Int64, at: Int64) -> KafkaMessage in
            let source = RecordSource(topic: Self.input.topic, partition: Self.input.partition, offset: offset)
            let message = JournalEntry(.checkpoint, source: source, requestId: nil, member: "a", at: Date(), journalStart: start)
                .message(journalTopic: "journal")
            #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == "requests/2/checkpoint")
            return KafkaMessage(topicPartition: TopicPartition(topic: "journal", partition: 2), offset: at, key: message.key, value: message.value)
        }
        let records = Self.records([(.attempt, 20, "a")], first: 10) + [checkpoint(20, 10, 11)]
            + Self.records([(.outcome, 20, "a")], first: 12) + [checkpoint(30, 13, 13)]
        var scan = JournalScan()
        scan.apply(records, end: 14, input: Self.input, committed: CommitPoint(offset: 20, finished: []))
        #expect(scan.finished == [20] && scan.open.isEmpty, "checkpoints are neither attempts nor closes")
        #expect(JournalScan.latestCheckpoint(in: records, input: Self.input, atOrBelow: 35) == 13)
        // A position below the latest checkpoint's commit (a later commit went back) takes the earlier one.
        #expect(JournalScan.latestCheckpoint(in: records, input: Self.input, atOrBelow: 25) == 10)
        #expect(JournalScan.latestCheckpoint(in: records, input: Self.input, atOrBelow: 19) == nil)
        #expect(JournalScan.latestCheckpoint(in: records, input: TopicPartition(topic: "other", partition: 2), atOrBelow: 99) == nil)
    }

    @Test("in-doubt records below the committed offset are forgotten (the ledger stays bounded by the work in progress)")
    func inDoubtForgottenOnceCommitted() {
        var ledger = JournalLedger()
        let doubt = JournalLedger.InDoubt(member: "m", at: "2026-12-01T00:00:00Z")
        ledger.jobEnded(5, JobJournalReport(attemptOffset: 40, end: 41, leaving: .inDoubt(doubt)))
        ledger.jobEnded(9, JobJournalReport(attemptOffset: 41, end: 42, leaving: .inDoubt(doubt)))
        ledger.committed(9)
        #expect(ledger.takeEarlier(5) == nil, "below the committed offset: forgotten")
        #expect(ledger.takeEarlier(9) == .inDoubt(doubt), "at the committed offset: kept")
        #expect(ledger.takeEarlier(9) == nil, "taken once")
    }

    @Test("a checkpoint is written only when its commit or read start changed")
    func checkpointOnlyWhenChanged() {
        var ledger = JournalLedger()
        #expect(ledger.checkpoint(committed: 5, start: nil) == nil, "nothing known of the partition")
        #expect(ledger.checkpoint(committed: 5, start: 40) == JournalLedger.Checkpoint(committed: 5, start: 40))
        #expect(ledger.checkpoint(committed: 5, start: 40) == nil, "the same again")
        #expect(ledger.checkpoint(committed: 6, start: 40) != nil, "a new committed offset")
        #expect(ledger.checkpoint(committed: 6, start: 42) != nil, "a new read start")
    }
}
