import Foundation
import Kafka

/// One record of the attempt journal: an attempt at an input record's Start call, or its close.
///
/// Journal records are keyed `<topic>/<partition>/<offset>` of the input record and written to the journal
/// partition with the input partition's number, so that one partition's history is read from one journal
/// partition. The value is a small JSON object:
/// `{"kind":"attempt","topic":…,"partition":…,"offset":…,"requestId":…,"member":…,"at":"2026-…Z"}`, and a close has
/// `"kind":"outcome"` (the record's outcome was published) or `"kind":"released"` (no request had been sent, or
/// every request was certainly not acted on: the record may be started again as if never attempted).
///
/// A `checkpoint` (key `<topic>/<partition>/checkpoint`, so compaction keeps the latest) records, after a commit,
/// the committed `offset` and the journal offset `journalStart` from which every attempt the commit leaves
/// unfinished can be read: on brokers that drop commit metadata (where that start is normally carried), the next
/// owner finds the latest checkpoint near the journal's end and reads from there, not the whole journal.
struct JournalEntry: Sendable, Hashable, Codable {
    /// What the entry records.
    enum Kind: String, Sendable, Codable {
        /// A Start request is about to be sent for the record.
        case attempt
        /// The record's outcome event (or failed event) is acknowledged: nothing is in doubt.
        case outcome
        /// The attempt ended without Informatica acting on it.
        case released
        /// A commit of the input partition at ``JournalEntry/offset``; ``JournalEntry/journalStart`` is where
        /// its unfinished attempts begin.
        case checkpoint
    }

    var kind: Kind
    var topic: String
    var partition: Int32
    var offset: Int64
    var requestId: String?
    /// For a checkpoint: the journal offset from which the attempts its commit leaves unfinished are read.
    var journalStart: Int64?
    /// The worker instance that wrote it (``Worker/memberName``).
    var member: String
    /// When it was written, ISO 8601.
    var at: String

    /// The input record it is about.
    var source: RecordSource { RecordSource(topic: self.topic, partition: self.partition, offset: self.offset) }

    /// An entry about `source`, written now by `member`.
    init(_ kind: Kind, source: RecordSource, requestId: String?, member: String, at date: Date, journalStart: Int64? = nil) {
        self.kind = kind
        self.journalStart = journalStart
        self.topic = source.topic
        self.partition = source.partition
        self.offset = source.offset
        self.requestId = requestId
        self.member = member
        self.at = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The entry as a record of `journalTopic` (partition = the input partition).
    func message(journalTopic: String) -> KafkaOutgoingMessage {
        var value = JSONObjectWriter()
        value.string("kind", self.kind.rawValue)
        value.string("topic", self.topic)
        value.integer("partition", Int64(self.partition))
        value.integer("offset", self.offset)
        value.string("requestId", self.requestId)
        if let journalStart = self.journalStart { value.integer("journalStart", journalStart) }
        value.string("member", self.member)
        value.string("at", self.at)
        let key = self.kind == .checkpoint ? "\(self.topic)/\(self.partition)/checkpoint" : self.source.description
        return KafkaOutgoingMessage(topic: journalTopic, partition: self.partition, key: key, value: value.finish())
    }

    /// Reads a journal record; `nil` for anything else (a foreign or damaged record is ignored).
    init?(_ message: KafkaMessage) {
        guard !message.isTombstone, message.value.count <= 16_384,
            let entry = try? JSONDecoder().decode(JournalEntry.self, from: Data(message.value))
        else { return nil }
        self = entry
    }

    /// When it was written; `nil` when the time does not parse.
    var date: Date? { try? Date(self.at, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
}
