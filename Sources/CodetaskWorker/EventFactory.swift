public import Foundation
public import InformaticaClient
public import Kafka

/// Builds the output records: CloudEvents 1.0 in Kafka binary mode (`ce_*` headers, JSON data), keyed by the
/// code task id. Dead-letter records are built by ``DeadLetterFactory``.
public struct EventFactory: Sendable {
    /// The topics written to.
    public var topics: WorkerTopics
    /// The `ce_source` attribute.
    public var eventSource: String
    /// The clock for `ce_time` and dead-letter times.
    public var now: @Sendable () -> Date

    /// Creates a factory.
    public init(topics: WorkerTopics, eventSource: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.topics = topics
        self.eventSource = eventSource
        self.now = now
    }

    /// The deterministic event id of a request's event of a type: a redelivered request gets the same id.
    public static func eventId(requestId: String, type: EventType) -> String {
        "\(requestId)/\(type.rawValue)"
    }

    /// The `codetask.job.started` event.
    public func started(_ request: StartRequest, _ started: CodeTaskStarted, latency: Duration) -> KafkaOutgoingMessage {
        var body = JSONObjectWriter()
        body.string("requestId", request.requestId)
        body.string("codeTaskId", request.codeTaskId)
        // Informatica's fields are spliced as the JSON text it sent: never re-serialised, numbers never converted.
        for name in Self.knownResponseFields { body.raw(name, started.rawJSON(of: name)) }
        body.integer("httpStatus", Int64(started.httpStatus))
        body.integer("attempts", Int64(Self.requestAttempts(started.attempts)))
        body.integer("inDoubtAttempts", Int64(started.inDoubtAttempts))
        body.integer("startLatencyMs", latency.wholeMilliseconds)
        body.bool("possibleDuplicate", request.possibleDuplicate)
        Self.writeSource(request.source, into: &body)
        body.raw("context", request.contextJSON)
        body.raw("extra", Self.extraJSON(started))
        return self.event(.started, request: request, data: body.finish())
    }

    /// The `codetask.start.failed` event.
    public func failed(_ request: StartRequest, _ failure: StartFailure) -> KafkaOutgoingMessage {
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
        return self.event(.failed, request: request, data: body.finish())
    }

    private func event(_ type: EventType, request: StartRequest, data: String) -> KafkaOutgoingMessage {
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
        return KafkaOutgoingMessage(topic: self.topics.output, key: request.codeTaskId, value: data, headers: headers)
    }

    /// The answer's fields the started event names, in the event's order.
    private static let knownResponseFields = ["jobId", "codeTaskInstanceName", "summary", "sparkCodeTaskResponseBody"]

    /// The answer's other top-level members as one object, in document order, each value as sent
    /// (a repeated name keeps its last value); `nil` when there are none.
    private static func extraJSON(_ started: CodeTaskStarted) -> String? {
        var last: [String: Int] = [:]
        for (index, member) in started.members.enumerated() where !Self.knownResponseFields.contains(member.name) {
            last[member.name] = index
        }
        guard !last.isEmpty else { return nil }
        var extra = JSONObjectWriter()
        for (index, member) in started.members.enumerated() where last[member.name] == index {
            extra.raw(member.name, String(decoding: member.raw, as: UTF8.self))
        }
        return extra.finish()
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
