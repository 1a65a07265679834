import CodetaskDemo
import Kafka
import Testing

@testable import CodetaskWorker

@Suite("Request parsing and validation")
struct RequestParserTests {
    private func message(_ value: String, key: String? = nil, headers: [KafkaHeader] = []) -> KafkaMessage {
        self.message(Array(value.utf8), key: key, headers: headers)
    }

    private func message(_ value: [UInt8], key: String? = nil, headers: [KafkaHeader] = []) -> KafkaMessage {
        KafkaMessage(
            topicPartition: TopicPartition(topic: "in", partition: 2), offset: 41, key: key.map { Array($0.utf8) }, value: value,
            headers: headers, timestampMilliseconds: nil)
    }

    @Test("a full request: id, request id, context kept byte for byte, key as ordering key, traceparent")
    func fullRequest() throws {
        let context = #"{ "b": [1, 2.50], "a": {"x": "\u00e9"} }"#
        let parsed = try RequestParser().parse(
            self.message(
                #"{"codeTaskId":"ct-1","requestId":"r-1","context":\#(context),"unknown":{"ignored":true}}"#, key: "tenant-a",
                headers: [KafkaHeader(name: "traceparent", value: "00-abc-def-01")])
        ).get()
        #expect(parsed.codeTaskId == "ct-1")
        #expect(parsed.requestId == "r-1")
        #expect(parsed.contextJSON == context)
        #expect(parsed.orderingKey == "tenant-a")
        #expect(parsed.traceparent == "00-abc-def-01")
        #expect(parsed.source == RecordSource(topic: "in", partition: 2, offset: 41))
    }

    @Test("a JSON number id becomes a string; defaults: request id from the position, ordering key from the id")
    func defaults() throws {
        let parsed = try RequestParser().parse(self.message(#"{"codeTaskId": 12345}"#)).get()
        #expect(parsed.codeTaskId == "12345")
        #expect(parsed.requestId == "in/2/41")
        #expect(parsed.orderingKey == "12345")
        #expect(parsed.contextJSON == nil)
        #expect(parsed.traceparent == nil)
    }

    @Test("every malformed kind is rejected with its reason", arguments: 0..<SampleRequests.malformedVariantCount)
    func malformed(variant: Int) throws {
        let sample = SampleRequests.malformed(index: 7, variant: variant)
        guard case .deadLetter(let reason) = sample.expectation else { throw Failure("sample \(variant) is not malformed") }
        let result = RequestParser().parse(self.message(sample.value))
        guard case .failure(let rejection) = result else { throw Failure("variant \(variant) was accepted: \(result)") }
        #expect(rejection.reason.rawValue == reason)
    }

    @Test("ids that could reach a URL or header are refused", arguments: ["", "a b", "a/b", "a?b", "a%2F", "é", "a\r\nX: y", String(repeating: "x", count: 129)])
    func unsafeIds(id: String) {
        let value = #"{"codeTaskId":"\#(id.replacingOccurrences(of: "\r\n", with: "\\r\\n"))"}"#
        guard case .failure(let rejection) = RequestParser().parse(self.message(value)) else {
            Issue.record("accepted \(id)")
            return
        }
        #expect(rejection.reason == .invalidCodeTaskId)
    }

    @Test("a rejected context keeps the readable code task id for the failed event")
    func contextTooLarge() {
        let big = String(repeating: "x", count: 17 * 1024)
        guard case .failure(let rejection) = RequestParser().parse(self.message(#"{"codeTaskId":"ct-9","context":{"b":"\#(big)"}}"#))
        else {
            Issue.record("accepted an oversized context")
            return
        }
        #expect(rejection.reason == .invalidContext)
        #expect(rejection.codeTaskId == "ct-9")
    }

    @Test("request ids over 128 characters and traceparents with spaces are refused")
    func requestIdAndTrace() {
        let long = String(repeating: "r", count: 129)
        #expect(throws: RequestRejection.self) { try RequestParser().parse(self.message(#"{"codeTaskId":"a","requestId":"\#(long)"}"#)).get() }
        let header = KafkaHeader(name: "traceparent", value: "00 bad")
        #expect(throws: RequestRejection.self) { try RequestParser().parse(self.message(#"{"codeTaskId":"a"}"#, headers: [header])).get() }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
