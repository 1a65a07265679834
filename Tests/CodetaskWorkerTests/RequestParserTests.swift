import CodetaskDemo
import Kafka
import Testing

@testable import CodetaskWorker

@Suite("Request parsing and validation")
struct RequestParserTests {
    /// A valid W3C trace context.
    static let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

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
                headers: [KafkaHeader(name: "traceparent", value: Self.trace)])
        ).get()
        #expect(parsed.codeTaskId == "ct-1")
        #expect(parsed.requestId == "r-1")
        #expect(parsed.contextJSON == context)
        #expect(parsed.orderingKey == "tenant-a")
        #expect(parsed.traceparent == Self.trace)
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

@Suite("Request parsing: contract edges")
struct RequestParserContractTests {
    private func parse(_ value: String, headers: [KafkaHeader] = []) -> Result<StartRequest, RequestRejection> {
        RequestParser().parse(
            KafkaMessage(
                topicPartition: TopicPartition(topic: "in", partition: 0), offset: 7, key: nil, value: Array(value.utf8),
                headers: headers))
    }

    private func rejection(_ value: String, headers: [KafkaHeader] = []) throws -> RequestRejection {
        guard case .failure(let rejection) = self.parse(value, headers: headers) else { throw Failure("accepted \(value.prefix(80))") }
        return rejection
    }

    @Test(
        "traceparents of the W3C shape are accepted",
        arguments: [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
        ])
    func validTraceparent(_ trace: String) throws {
        let request = try self.parse(#"{"codeTaskId":"a"}"#, headers: [KafkaHeader(name: "traceparent", value: trace)]).get()
        #expect(request.traceparent == trace)
    }

    @Test(
        "traceparents not of the W3C shape are dead-lettered invalid_traceparent",
        arguments: [
            "00 bad", "00-abc-def-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" + String(repeating: "x", count: 16 * 1024),
        ])
    func invalidTraceparent(_ trace: String) throws {
        let rejection = try self.rejection(#"{"codeTaskId":"ct-1"}"#, headers: [KafkaHeader(name: "traceparent", value: trace)])
        #expect(rejection.reason == .invalidTraceparent)
        #expect(rejection.codeTaskId == "ct-1", "the failed event can still be published")
    }

    @Test("a binary traceparent is invalid, not absent, and does not hide behind an earlier valid one")
    func binaryTraceparent() throws {
        let headers = [
            KafkaHeader(name: "traceparent", value: RequestParserTests.trace),
            KafkaHeader(name: "traceparent", value: [0xFF, 0xFE, 0x00, 0x41]),
        ]
        #expect(try self.rejection(#"{"codeTaskId":"a"}"#, headers: headers).reason == .invalidTraceparent)
    }

    @Test("the last traceparent wins; an empty or null one counts as absent")
    func lastTraceparentWins() throws {
        let valid = KafkaHeader(name: "traceparent", value: RequestParserTests.trace)
        #expect(try self.parse(#"{"codeTaskId":"a"}"#, headers: [KafkaHeader(name: "traceparent", value: "junk"), valid]).get().traceparent
            == RequestParserTests.trace)
        #expect(try self.parse(#"{"codeTaskId":"a"}"#, headers: [KafkaHeader(name: "traceparent", value: "")]).get().traceparent == nil)
        #expect(try self.parse(#"{"codeTaskId":"a"}"#, headers: [KafkaHeader(name: "traceparent", value: nil)]).get().traceparent == nil)
    }

    @Test("the request id limit counts Unicode scalars: 128 pass, one 4 KB grapheme cluster does not")
    func requestIdCountsScalars() throws {
        let scalars128 = String(repeating: "é", count: 128)
        #expect(try self.parse(#"{"codeTaskId":"a","requestId":"\#(scalars128)"}"#).get().requestId == scalars128)
        let oneCharacter = "e" + String(repeating: "\u{0301}", count: 2048)
        #expect(oneCharacter.count == 1 && oneCharacter.utf8.count > 4000)
        let rejection = try self.rejection(#"{"codeTaskId":"ct-2","requestId":"\#(oneCharacter)"}"#)
        #expect(rejection.reason == .invalidRequestId)
        #expect(rejection.codeTaskId == "ct-2", "invalid_request_id keeps the readable code task id for the failed event")
        #expect(rejection.requestId == nil)
    }

    @Test("a repeated requestId or context keeps the readable code task id; a repeated codeTaskId has none")
    func duplicates() throws {
        let requestIds = try self.rejection(#"{"requestId":"r1","codeTaskId":"ct-3","requestId":"r2"}"#)
        #expect(requestIds.reason == .duplicateField)
        #expect(requestIds.codeTaskId == "ct-3")
        #expect(requestIds.requestId == nil)
        let contexts = try self.rejection(#"{"codeTaskId":"ct-4","requestId":"r","context":{},"context":{}}"#)
        #expect(contexts.reason == .duplicateField)
        #expect(contexts.codeTaskId == "ct-4")
        #expect(contexts.requestId == "r")
        let ids = try self.rejection(#"{"codeTaskId":"a","codeTaskId":"b","requestId":"r"}"#)
        #expect(ids.reason == .duplicateField)
        #expect(ids.codeTaskId == nil)
        #expect(ids.requestId == "r")
    }

    @Test("a tombstone is rejected as a tombstone, an empty value as not JSON")
    func tombstone() {
        var message = KafkaMessage(topicPartition: TopicPartition(topic: "in", partition: 0), offset: 1, key: nil, value: [])
        #expect(throws: RequestRejection(.notJSON, "")) { try RequestParser().parse(message).mapError(Self.reasonOnly).get() }
        message.isTombstone = true
        #expect(throws: RequestRejection(.tombstone, "")) { try RequestParser().parse(message).mapError(Self.reasonOnly).get() }
    }

    private static func reasonOnly(_ rejection: RequestRejection) -> RequestRejection { RequestRejection(rejection.reason, "") }
}
