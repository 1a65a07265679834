public import Foundation
public import Kafka

/// Builds dead-letter records that always fit under the producer's size limit.
///
/// A dead-letter record is a copy (key, value, headers) with the worker's `dlq_*` headers first. Headers of the
/// copied record whose names start with `dlq_` are renamed `original_dlq_…`, so they can neither forge nor hide
/// the worker's own. A copy larger than ``maxRecordBytes`` is shortened to fit and marked
/// `dlq_truncated=true` with `dlq_original_size` (the key is kept up to an eighth of the room, copied headers
/// whole while they fit in a quarter, the value cut to the rest); when even the worker's own headers do
/// not fit, the record is the coordinates-only ``minimal(source:reason:)`` one.
public struct DeadLetterFactory: Sendable {
    /// The dead-letter topic.
    public var topic: String
    /// The largest record the producer sends (its `message.max.bytes`, ``KafkaProducer/maxMessageBytes``).
    public var maxRecordBytes: Int
    /// The clock for `dlq_time`.
    public var now: @Sendable () -> Date

    /// The longest `dlq_message`, in bytes (longer texts are cut at a character boundary and end in `…`).
    public static let maxMessageBytes = 1024

    /// Creates a factory.
    /// - Parameters:
    ///   - topic: The dead-letter topic.
    ///   - maxRecordBytes: The producer's `message.max.bytes` (``WorkerConfiguration/maxPublishBytes``).
    ///   - now: The clock for `dlq_time`.
    public init(topic: String, maxRecordBytes: Int, now: @escaping @Sendable () -> Date = Date.init) {
        self.topic = topic
        self.maxRecordBytes = maxRecordBytes
        self.now = now
    }

    /// The dead-letter record of an input record that is not a valid request: the record copied (a tombstone
    /// stays null), with `dlq_reason` (``RequestRejection/Reason``), `dlq_message` and the source coordinates;
    /// shortened to fit if needed.
    public func rejected(_ message: KafkaMessage, _ rejection: RequestRejection) -> KafkaOutgoingMessage {
        let copy = KafkaOutgoingMessage(
            topic: self.topic, key: message.key, value: message.value, headers: Self.renamingOurs(message.headers))
        var record = copy
        record.isTombstone = message.isTombstone
        record.headers = self.headers(rejection.reason, rejection.message, source: RecordSource(message)) + copy.headers
        let size = Self.size(key: message.key, value: message.value, headers: message.headers)
        return self.fitted(record, ours: record.headers.count - copy.headers.count, originalSize: size)
    }

    /// The dead-letter record of a request whose event can never be published (``KafkaError/isPermanent``): the
    /// event copied (key, value, `ce_*` headers), with `dlq_reason=publish_failed`, the error as `dlq_message`,
    /// the input record's coordinates and `dlq_target_topic` naming where the event was meant to go; shortened
    /// to fit if needed.
    public func publishFailed(_ event: KafkaOutgoingMessage, source: RecordSource, error: KafkaError) -> KafkaOutgoingMessage {
        var ours = self.headers(.publishFailed, "\(error)", source: source)
        ours.append(KafkaHeader(name: DeadLetterHeader.targetTopic, value: event.topic))
        let record = KafkaOutgoingMessage(
            topic: self.topic, key: event.key, value: event.value, headers: ours + Self.renamingOurs(event.headers))
        return self.fitted(record, ours: ours.count, originalSize: Self.size(key: event.key, value: event.value, headers: event.headers))
    }

    /// The smallest dead-letter record: no key, an empty value, and only `dlq_reason`, the source coordinates,
    /// `dlq_time` and `dlq_truncated=true`. For when the broker refuses even a shortened copy (its limit is below
    /// the producer's); a few hundred bytes at most.
    public func minimal(source: RecordSource, reason: RequestRejection.Reason) -> KafkaOutgoingMessage {
        var headers = self.headers(reason, nil, source: source)
        headers.append(KafkaHeader(name: DeadLetterHeader.truncated, value: "true"))
        return KafkaOutgoingMessage(topic: self.topic, key: nil as [UInt8]?, value: [], headers: headers)
    }

    /// The worker's own headers, in this order: reason, message (when given), source topic, partition, offset, time.
    private func headers(_ reason: RequestRejection.Reason, _ text: String?, source: RecordSource) -> [KafkaHeader] {
        var headers = [KafkaHeader(name: DeadLetterHeader.reason, value: reason.rawValue)]
        if let text { headers.append(KafkaHeader(name: DeadLetterHeader.message, value: Self.capped(text))) }
        headers += [
            KafkaHeader(name: DeadLetterHeader.sourceTopic, value: source.topic),
            KafkaHeader(name: DeadLetterHeader.sourcePartition, value: String(source.partition)),
            KafkaHeader(name: DeadLetterHeader.sourceOffset, value: String(source.offset)),
            KafkaHeader(name: DeadLetterHeader.time, value: self.now().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
        ]
        return headers
    }

    /// `record` when it fits, else ``shortened(_:ours:originalSize:)``, else the minimal record.
    private func fitted(_ record: KafkaOutgoingMessage, ours: Int, originalSize: Int) -> KafkaOutgoingMessage {
        guard record.maximumWireSize > self.maxRecordBytes else { return record }
        return self.shortened(record, ours: ours, originalSize: originalSize) ?? self.minimal(record)
    }

    /// A record's key, value and header names and values, in bytes: the `dlq_original_size`.
    private static func size(key: [UInt8]?, value: [UInt8], headers: [KafkaHeader]) -> Int {
        (key?.count ?? 0) + value.count + headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
    }

    /// The record cut down to ``maxRecordBytes``: the worker's `ours` first headers are kept whole and
    /// `dlq_truncated=true` and `dlq_original_size` (the copied record's size, see ``size(key:value:headers:)``)
    /// added; then the
    /// key is kept up to an eighth of the room left, copied headers are kept whole, in order, while they fit in
    /// a quarter of it (the rest are dropped: a cut header would be garbage), and the value gets the remainder
    /// (cut, not dropped). `nil` when the worker's own headers leave no room.
    private func shortened(_ record: KafkaOutgoingMessage, ours: Int, originalSize: Int) -> KafkaOutgoingMessage? {
        let copied = record.headers.dropFirst(ours)
        let own = Array(record.headers.prefix(ours)) + [
            KafkaHeader(name: DeadLetterHeader.truncated, value: "true"),
            KafkaHeader(name: DeadLetterHeader.originalSize, value: String(originalSize)),
        ]
        var result = KafkaOutgoingMessage(topic: record.topic, key: nil as [UInt8]?, value: [], headers: own)
        result.isTombstone = record.isTombstone
        var room = self.maxRecordBytes - result.maximumWireSize
        guard room >= 0 else { return nil }
        if let key = record.key {
            result.key = Array(key.prefix(room / 8))
            room -= result.key?.count ?? 0
        }
        var headerRoom = room / 4
        for header in copied where header.maximumWireSize <= headerRoom {
            result.headers.append(header)
            headerRoom -= header.maximumWireSize
            room -= header.maximumWireSize
        }
        result.value = Array(record.value.prefix(room))
        return result
    }

    /// The minimal record for the coordinates and reason in `record`'s own headers.
    private func minimal(_ record: KafkaOutgoingMessage) -> KafkaOutgoingMessage {
        let header = { (name: String) in record.headers.first { $0.name == name }?.stringValue }
        let source = RecordSource(
            topic: header(DeadLetterHeader.sourceTopic) ?? "",
            partition: header(DeadLetterHeader.sourcePartition).flatMap { Int32($0) } ?? -1,
            offset: header(DeadLetterHeader.sourceOffset).flatMap { Int64($0) } ?? -1)
        return self.minimal(source: source, reason: RequestRejection.Reason(rawValue: header(DeadLetterHeader.reason) ?? ""))
    }

    /// Copied headers with `dlq_…` names renamed `original_dlq_…`: only the worker writes `dlq_` headers.
    static func renamingOurs(_ headers: [KafkaHeader]) -> [KafkaHeader] {
        headers.map { header in
            guard header.name.hasPrefix(DeadLetterHeader.prefix) else { return header }
            return KafkaHeader(name: "original_" + header.name, value: header.value)
        }
    }

    /// `text` cut to at most ``maxMessageBytes`` bytes at a Unicode scalar boundary, ending in `…` when cut.
    static func capped(_ text: String) -> String {
        guard text.utf8.count > Self.maxMessageBytes else { return text }
        var result = ""
        let room = Self.maxMessageBytes - "…".utf8.count
        for scalar in text.unicodeScalars {
            guard result.utf8.count + scalar.utf8.count <= room else { break }
            result.unicodeScalars.append(scalar)
        }
        return result + "…"
    }
}

/// The headers the worker adds to a dead-letter record; it writes them first, and no other `dlq_` header.
public enum DeadLetterHeader {
    /// The prefix of every header the worker adds; copied headers with it are renamed `original_dlq_…`.
    public static let prefix = "dlq_"
    /// The machine-readable reason (``RequestRejection/Reason``).
    public static let reason = "dlq_reason"
    /// The reason in words (at most ``DeadLetterFactory/maxMessageBytes`` bytes).
    public static let message = "dlq_message"
    /// The input topic.
    public static let sourceTopic = "dlq_source_topic"
    /// The input partition.
    public static let sourcePartition = "dlq_source_partition"
    /// The input offset.
    public static let sourceOffset = "dlq_source_offset"
    /// When the record was dead-lettered (ISO 8601).
    public static let time = "dlq_time"
    /// For `publish_failed`: the topic the event was meant for.
    public static let targetTopic = "dlq_target_topic"
    /// `true` when the copy was shortened to fit the producer's limit.
    public static let truncated = "dlq_truncated"
    /// The copied record's key, value and headers (names and values, as they were before any renaming) in bytes.
    public static let originalSize = "dlq_original_size"
}
