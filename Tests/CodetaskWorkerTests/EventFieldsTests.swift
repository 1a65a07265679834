import Foundation
import Kafka
import Testing

@testable import CodetaskWorker
@testable import InformaticaClient

@Suite("Event fields from Informatica's answer")
struct EventFieldsTests {
    private static let factory = EventFactory(topics: WorkerTopics(), eventSource: "/test", now: { Date(timeIntervalSince1970: 0) })
    private static let request = StartRequest(
        requestId: "r-1", codeTaskId: "ct-1", orderingKey: "k", contextJSON: nil, traceparent: nil,
        source: RecordSource(topic: "in", partition: 1, offset: 9))

    @Test("the started event splices jobId, names, summary, Spark body and extra fields byte for byte")
    func startedIsSpliced() throws {
        let answer = #"{"zeta":{"b":1.50},"jobId":12345678901234567890123,"summary":"ok \u00e9\/","#
            + #""codeTaskInstanceName":"D\u002d2","sparkCodeTaskResponseBody":{"z":1e400,"a":"x"},"alpha":[1, 2]}"#
        let attempts = [
            Attempt(number: 1, target: .request, status: nil, outcome: .retriable, latency: .zero, errorCode: "timeout", delivery: .inDoubt),
            Attempt(number: 2, target: .request, status: 200, outcome: .success, latency: .zero, errorCode: nil, delivery: .accepted),
        ]
        let started = try #require(CodeTaskStarted(body: Array(answer.utf8), httpStatus: 200, attempts: attempts))
        let event = Self.factory.started(Self.request, started, latency: .milliseconds(5))
        let body = String(decoding: event.value, as: UTF8.self)
        #expect(body.contains(#""jobId":12345678901234567890123,"#))
        #expect(body.contains(#""codeTaskInstanceName":"D\u002d2","#))
        #expect(body.contains(#""summary":"ok \u00e9\/","#))
        #expect(body.contains(#""sparkCodeTaskResponseBody":{"z":1e400,"a":"x"},"#))
        #expect(body.contains(#""attempts":2,"inDoubtAttempts":1,"#))
        #expect(body.contains(#""extra":{"zeta":{"b":1.50},"alpha":[1, 2]}"#))
        #expect(throws: Never.self) { try JSONParser.parse(event.value) }
    }

    @Test("an event over the producer's limit keeps jobId and replaces its largest answer fields by size markers")
    func oversizedStartedFits() throws {
        let limit = 4_000
        let factory = EventFactory(topics: WorkerTopics(), eventSource: "/test", maxRecordBytes: limit)
        let spark = #"{"log":"\#(String(repeating: "s", count: 2_000))"}"#
        let big = "\"" + String(repeating: "b", count: 3_000) + "\""
        let answer = #"{"jobId":"job-7","sparkCodeTaskResponseBody":\#(spark),"big":\#(big),"small":1}"#
        let started = try #require(CodeTaskStarted(body: Array(answer.utf8), httpStatus: 200, attempts: []))
        // Trace headers count against the limit too: 1,500 bytes of them leave no room for the Spark body.
        let trace = [KafkaHeader(name: "tracestate", value: String(repeating: "t", count: 1_500))]
        let event = factory.started(Self.request, started, latency: .zero, trace: trace)
        #expect(event.maximumWireSize <= limit)
        #expect(event.headers.last(named: "tracestate") == trace[0].stringValue)
        let parsed = try JSONParser.parse(event.value)
        #expect(parsed["jobId"]?.stringValue == "job-7")
        #expect(parsed["extra"]?["big"]?["truncated"] == .bool(true))
        #expect(parsed["extra"]?["big"]?["bytes"] == .integer(3_002))
        #expect(parsed["extra"]?["small"] == .integer(1))
        #expect(parsed["sparkCodeTaskResponseBody"]?["bytes"] == .integer(Int64(spark.utf8.count)))
        // Without the trace headers the Spark body fits and stays as sent.
        let untraced = try JSONParser.parse(factory.started(Self.request, started, latency: .zero).value)
        #expect(untraced["sparkCodeTaskResponseBody"]?["log"] != nil)
        #expect(untraced["extra"]?["big"]?["truncated"] == .bool(true))
    }

    @Test("the failed event carries the new categories and inDoubtAttempts")
    func failedCarriesInDoubt() throws {
        let attempts = [Attempt(number: 1, target: .request, status: 200, outcome: .success, latency: .zero, errorCode: nil, delivery: .answerUnreadable)]
        let failure = InformaticaFailure(
            category: .answerUnreadable, httpStatus: 200, code: "answer_unreadable", message: "broke", requestId: nil, attempts: attempts)
        let parsed = try JSONParser.parse(Self.factory.failed(Self.request, StartFailure(failure)).value)
        #expect(parsed["error"]?["category"]?.stringValue == "answer_unreadable")
        #expect(parsed["attempts"] == .integer(1))
        #expect(parsed["inDoubtAttempts"] == .integer(1))
    }
}
