import Foundation
import InformaticaClient
import Kafka
import Testing

@testable import CodetaskWorker

@Suite("Events and configuration")
struct PipelinePartsTests {
    @Test("events are CloudEvents in binary mode with a deterministic id, keyed by the code task id")
    func events() throws {
        let factory = EventFactory(topics: WorkerTopics(), eventSource: "/test", now: { Date(timeIntervalSince1970: 0) })
        let request = StartRequest(
            requestId: "r-1", codeTaskId: "ct-1", orderingKey: "k", contextJSON: #"{"z":1,"a":2}"#, traceparent: "00-t-s-01",
            source: RecordSource(topic: "in", partition: 1, offset: 9))
        let failure = InformaticaFailure(
            category: .rejected, httpStatus: 404, code: "CODE_TASK_NOT_FOUND", message: "no such task", requestId: "inf-7", attempts: [])
        let event = factory.failed(request, StartFailure(failure))
        let headers = Dictionary(event.headers.map { ($0.name, $0.stringValue ?? "") }) { first, _ in first }
        #expect(headers["ce_specversion"] == "1.0")
        #expect(headers["ce_id"] == "r-1/codetask.start.failed")
        #expect(headers["ce_type"] == "codetask.start.failed")
        #expect(headers["ce_source"] == "/test")
        #expect(headers["ce_subject"] == "ct-1")
        #expect(headers["ce_time"] == "1970-01-01T00:00:00.000Z")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["traceparent"] == "00-t-s-01")
        #expect(event.key == Array("ct-1".utf8))
        let body = String(decoding: event.value, as: UTF8.self)
        #expect(body.contains(#""context":{"z":1,"a":2}"#))
        let parsed = try JSONParser.parse(event.value)
        #expect(parsed["error"]?["category"]?.stringValue == "rejected")
        #expect(parsed["error"]?["httpStatus"] == .integer(404))
        #expect(parsed["error"]?["informaticaRequestId"]?.stringValue == "inf-7")
        #expect(parsed["source"]?["offset"] == .integer(9))
    }

    @Test("the producer's limit is exposed: librdkafka's default, or message.max.bytes from the properties")
    func maxPublishBytes() {
        var configuration = WorkerConfiguration(
            kafka: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
            informatica: InformaticaConfiguration(session: .fixedSession(sessionId: Secret("s"), serverURL: "https://example.com")))
        #expect(configuration.maxPublishBytes == 1_000_000)
        configuration.kafka.properties["message.max.bytes"] = "2000000"
        #expect(configuration.maxPublishBytes == 2_000_000)
    }

    @Test("a bad setting is named", arguments: [
        "groupID", "topics.output", "topics", "maxInFlight", "commitInterval", "kafka.bootstrapServers",
        "kafka.properties.enable.auto.commit", "kafka.properties.acks", "maxOutageRetries", "maxPublishBackoff", "limits",
    ])
    func configuration(setting: String) {
        var configuration = WorkerConfiguration(
            kafka: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
            informatica: InformaticaConfiguration(session: .fixedSession(sessionId: Secret("s"), serverURL: "https://example.com")))
        #expect(throws: Never.self) { try configuration.validate() }
        switch setting {
        case "groupID": configuration.groupID = ""
        case "topics.output": configuration.topics.output = "bad topic"
        case "topics": configuration.topics.deadLetter = configuration.topics.input
        case "maxInFlight": configuration.maxInFlight = 0
        case "commitInterval": configuration.commitInterval = .zero
        case "kafka.properties.enable.auto.commit": configuration.kafka.properties["enable.auto.commit"] = "true"
        case "kafka.properties.acks": configuration.kafka.properties["acks"] = "1"
        case "maxOutageRetries": configuration.maxOutageRetries = 1_001
        case "maxPublishBackoff": configuration.maxPublishBackoff = .seconds(1e12)
        case "limits": configuration.limits.maxRequestIdLength = 0
        default: configuration.kafka.bootstrapServers = []
        }
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? ConfigurationError)?.setting == setting
        }
    }
}
