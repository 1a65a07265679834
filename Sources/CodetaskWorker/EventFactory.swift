public import Foundation
public import InformaticaClient
public import Kafka

/// Builds the output records: CloudEvents 1.0 in Kafka binary mode (`ce_*` headers, JSON data), keyed by the
/// code task id. Dead-letter records are built by ``DeadLetterFactory``.
///
/// A started event always keeps its `jobId` and the worker's own fields; when the whole record (key, headers
/// and value) would exceed ``maxRecordBytes``, the largest of Informatica's other answer fields (in `extra`
/// too), then the request's `context`, are replaced by the marker `{"truncated":true,"bytes":N}` (N: the
/// field's JSON text in bytes) until it fits, so that the event still reaches the output topic.
public struct EventFactory: Sendable {
    /// The topics written to.
    public var topics: WorkerTopics
    /// The `ce_source` attribute.
    public var eventSource: String
    /// The largest record the producer sends (its `message.max.bytes`, ``KafkaProducer/maxMessageBytes``).
    public var maxRecordBytes: Int
    /// The clock for `ce_time` and dead-letter times.
    public var now: @Sendable () -> Date

    /// Creates a factory.
    /// - Parameters:
    ///   - topics: The topics written to.
    ///   - eventSource: The `ce_source` attribute.
    ///   - maxRecordBytes: The producer's `message.max.bytes` (librdkafka's default when not given).
    ///   - now: The clock for `ce_time`.
    public init(
        topics: WorkerTopics, eventSource: String, maxRecordBytes: Int = KafkaProducerConfiguration.defaultMaxMessageBytes,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.topics = topics
        self.eventSource = eventSource
        self.maxRecordBytes = maxRecordBytes
        self.now = now
    }

    /// The deterministic event id of a request's event of a type: a redelivered request gets the same id.
    public static func eventId(requestId: String, type: EventType) -> String {
        "\(requestId)/\(type.rawValue)"
    }

    /// The `codetask.job.started` event, made to fit ``maxRecordBytes`` (see the type's description).
    /// - Parameters:
    ///   - request: The request started.
    ///   - started: Informatica's answer.
    ///   - latency: How long starting took.
    ///   - trace: Trace context headers, replacing the event's headers of the same names.
    public func started(
        _ request: StartRequest, _ started: CodeTaskStarted, latency: Duration, trace: [KafkaHeader] = []
    ) -> KafkaOutgoingMessage {
        let answer = AnswerFields(started)
        var event = self.event(.started, request: request, data: Self.startedBody(request, answer, latency, cut: []), trace: trace)
        var excess = event.maximumWireSize - self.maxRecordBytes
        guard excess > 0 else { return event }
        // Each replacement shortens the value by exactly the bytes it saves: the other fields are spliced as they are.
        var cut: Set<Field> = []
        for (field, bytes) in Self.replaceable(request, answer) where excess > 0 {
            let saved = bytes - Self.marker(bytes).utf8.count
            guard saved > 0 else { continue }
            cut.insert(field)
            excess -= saved
        }
        event.value = Array(Self.startedBody(request, answer, latency, cut: cut).utf8)
        return event
    }

    /// The `codetask.start.failed` event.
    /// - Parameter trace: Trace context headers, replacing the event's headers of the same names.
    public func failed(_ request: StartRequest, _ failure: StartFailure, trace: [KafkaHeader] = []) -> KafkaOutgoingMessage {
        var body = JSONObjectWriter()
        body.string("requestId", request.requestId)
        body.string("codeTaskId", request.codeTaskId)
        body.object("error") { error in
            error.string("category", failure.category)
            error.integer("httpStatus", failure.httpStatus.map(Int64.init))
            error.string("code", failure.code)
            error.string("message", failure.message)
            error.string("informaticaRequestId", failure.informaticaRequestId)
            if let at = failure.earlierAttemptAt { error.string("earlierAttemptAt", at) }
            if let member = failure.earlierAttemptBy { error.string("earlierAttemptBy", member) }
        }
        body.integer("attempts", Int64(failure.attempts))
        body.integer("inDoubtAttempts", Int64(failure.inDoubtAttempts))
        body.bool("possibleDuplicate", request.possibleDuplicate)
        Self.writeSource(request.source, into: &body)
        body.raw("context", request.contextJSON)
        return self.event(.failed, request: request, data: body.finish(), trace: trace)
    }

    private func event(_ type: EventType, request: StartRequest, data: String, trace: [KafkaHeader]) -> KafkaOutgoingMessage {
        var headers = [
            KafkaHeader(name: "ce_specversion", value: "1.0"),
            KafkaHeader(name: "ce_id", value: Self.eventId(requestId: request.requestId, type: type)),
            KafkaHeader(name: "ce_source", value: self.eventSource),
            KafkaHeader(name: "ce_type", value: type.rawValue),
            KafkaHeader(name: "ce_time", value: Self.timestamp(self.now())),
            KafkaHeader(name: "ce_subject", value: request.codeTaskId),
            KafkaHeader(name: "content-type", value: "application/json"),
        ]
        if let traceparent = request.traceparent { headers.append(KafkaHeader(name: "traceparent", value: traceparent)) }
        let traced = Set(trace.map(\.name))
        headers = headers.filter { !traced.contains($0.name) } + trace
        return KafkaOutgoingMessage(topic: self.topics.output, key: request.codeTaskId, value: data, headers: headers)
    }

    /// The started event's body; the fields in `cut` are written as their size marker.
    private static func startedBody(_ request: StartRequest, _ answer: AnswerFields, _ latency: Duration, cut: Set<Field>) -> String {
        let written = { (field: Field, json: String?) in cut.contains(field) ? json.map { Self.marker($0.utf8.count) } : json }
        var body = JSONObjectWriter()
        body.string("requestId", request.requestId)
        body.string("codeTaskId", request.codeTaskId)
        // Informatica's fields are spliced as the JSON text it sent: never re-serialised, numbers never converted.
        body.raw("jobId", answer.jobId)
        for (name, json) in answer.known { body.raw(name, written(.answer(name), json)) }
        body.integer("httpStatus", Int64(answer.started.httpStatus))
        body.integer("attempts", Int64(Self.requestAttempts(answer.started.attempts)))
        body.integer("inDoubtAttempts", Int64(answer.started.inDoubtAttempts))
        body.integer("startLatencyMs", latency.wholeMilliseconds)
        body.bool("possibleDuplicate", request.possibleDuplicate)
        Self.writeSource(request.source, into: &body)
        body.raw("context", written(.context, request.contextJSON))
        if answer.extra.isEmpty {
            body.raw("extra", nil)
        } else {
            body.object("extra") { extra in
                for (name, json) in answer.extra { extra.raw(name, written(.answer(name), json)) }
            }
        }
        return body.finish()
    }

    /// A field of the started event that may be replaced by its size marker.
    private enum Field: Hashable {
        /// A top-level member of Informatica's answer other than `jobId` (named, or in `extra`).
        case answer(String)
        /// The request's `context`.
        case context
    }

    /// The fields that may be replaced, in the order they are: the answer's, largest first, then the context.
    private static func replaceable(_ request: StartRequest, _ answer: AnswerFields) -> [(Field, bytes: Int)] {
        let members = (answer.known + answer.extra).compactMap { name, json in json.map { (Field.answer(name), bytes: $0.utf8.count) } }
        let context = request.contextJSON.map { [(Field.context, bytes: $0.utf8.count)] } ?? []
        return members.sorted { $0.bytes > $1.bytes } + context
    }

    /// What a replaced field holds: `{"truncated":true,"bytes":N}`.
    static func marker(_ bytes: Int) -> String {
        #"{"truncated":true,"bytes":\#(bytes)}"#
    }

    /// The answer's fields the started event names, in the event's order (`jobId` first).
    private static let knownResponseFields = ["jobId", "codeTaskInstanceName", "summary", "sparkCodeTaskResponseBody"]

    /// Informatica's answer split as the started event writes it, each value the JSON text it sent.
    private struct AnswerFields {
        let started: CodeTaskStarted
        /// `jobId`, never replaced.
        let jobId: String?
        /// The other named fields, in the event's order (`nil` when absent).
        let known: [(name: String, json: String?)]
        /// The answer's other top-level members, in document order (a repeated name keeps its last value).
        let extra: [(name: String, json: String?)]

        init(_ started: CodeTaskStarted) {
            self.started = started
            self.jobId = started.rawJSON(of: "jobId")
            self.known = EventFactory.knownResponseFields.dropFirst().map { ($0, started.rawJSON(of: $0)) }
            var last: [String: Int] = [:]
            for (index, member) in started.members.enumerated() where !EventFactory.knownResponseFields.contains(member.name) {
                last[member.name] = index
            }
            self.extra = started.members.enumerated().compactMap { index, member in
                last[member.name] == index ? (member.name, String(decoding: member.raw, as: UTF8.self)) : nil
            }
        }
    }

    /// Start requests sent (logins are not counted).
    static func requestAttempts(_ attempts: [Attempt]) -> Int {
        attempts.filter { $0.target == .request }.count
    }

    private static func writeSource(_ source: RecordSource, into body: inout JSONObjectWriter) {
        body.object("source") { object in
            object.string("topic", source.topic)
            object.integer("partition", Int64(source.partition))
            object.integer("offset", source.offset)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var wholeMilliseconds: Int64 {
        let parts = self.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds.
    var wholeNanoseconds: Int64 {
        let parts = self.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// The duration in seconds, fractions included.
    var secondsValue: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
