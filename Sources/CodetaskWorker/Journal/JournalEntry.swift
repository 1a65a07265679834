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
/// An `answered` close is written before the outcome event, and carries it: its value is the event's value, its
/// headers are the event's headers plus ``entryHeader`` (this entry's JSON) and ``eventKeyHeader`` (the event's
/// key). The event may not be published yet when a member dies: the next owner publishes it again from here, the
/// same bytes and `ce_id`, and starts nothing.
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
        /// The record's outcome is decided and its event is stored in this close (see the type's description);
        /// the event may not be published yet.
        case answered
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

    /// The header of an `answered` close that holds its entry's JSON.
    static let entryHeader = "codetask-journal-entry"
    /// The header of an `answered` close that holds the stored event's key.
    static let eventKeyHeader = "codetask-journal-event-key"

    /// The entry as an `answered` close of `journalTopic` carrying `event` (see the type's description).
    func answeredMessage(journalTopic: String, event: KafkaOutgoingMessage) -> KafkaOutgoingMessage {
        var record = self.message(journalTopic: journalTopic)
        let entry = KafkaHeader(name: Self.entryHeader, value: record.value)
        let key = KafkaHeader(name: Self.eventKeyHeader, value: event.key)
        record.value = event.value
        record.headers = event.headers + [entry, key]
        return record
    }

    /// Reads a journal record; `nil` for anything else (a foreign or damaged record is ignored).
    init?(_ message: KafkaMessage) {
        guard !message.isTombstone else { return nil }
        let json = message.headers.last { $0.name == Self.entryHeader }?.value ?? message.value
        guard json.count <= 16_384, let entry = try? JSONDecoder().decode(JournalEntry.self, from: Data(json)) else { return nil }
        self = entry
    }

    /// The event an `answered` close stores, as it is published on `outputTopic`; `nil` for any other record.
    static func storedEvent(in message: KafkaMessage, outputTopic: String) -> KafkaOutgoingMessage? {
        guard !message.isTombstone, message.headers.contains(where: { $0.name == Self.entryHeader }) else { return nil }
        let key = message.headers.last { $0.name == Self.eventKeyHeader }?.value
        let headers = message.headers.filter { $0.name != Self.entryHeader && $0.name != Self.eventKeyHeader }
        return KafkaOutgoingMessage(topic: outputTopic, key: key, value: message.value, headers: headers)
    }

    /// When it was written; `nil` when the time does not parse.
    var date: Date? { try? Date(self.at, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
}
