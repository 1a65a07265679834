import CodetaskDemo
import InformaticaClient
import Kafka
import Testing

@testable import CodetaskWorker

/// The adversarial generator's own promises, checked against the parser alone (no broker): the worker test
/// (``AdversarialInputTests``) then checks the worker end to end.
@Suite("Adversarial records")
struct AdversarialRecordsTests {
    private static func message(_ record: SampleRecord) -> KafkaMessage {
        var message = KafkaMessage(
            topicPartition: TopicPartition(topic: "in", partition: 0), offset: 7, key: record.key.map { Array($0.utf8) },
            value: record.value, headers: record.headers)
        message.isTombstone = record.isTombstone
        return message
    }

    @Test("each of 5,000 records gets from the parser exactly the outcome the generator expects")
    func expectationsMatchTheParser() {
        let records = AdversarialRecords().generate(count: 5_000, seed: 7)
        var wrong: [String] = []
        for (index, record) in records.enumerated() {
            let outcome = RequestParser().parse(Self.message(record))
            switch (record.expectation, outcome) {
            case (.start(let id), .success(let request)) where request.codeTaskId == id: continue
            case (.deadLetter(let reason), .failure(let rejection)) where rejection.reason.rawValue == reason: continue
            default: wrong.append("#\(index) expected \(record.expectation), parsed \(outcome)".prefix(300).description)
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) records, e.g. \(wrong.prefix(5))")
        #expect(records.filter(\.isMalformed).count > 2_500 && records.filter { !$0.isMalformed }.count > 1_500)
    }

    @Test("the same seed gives the same records, another seed others; both 1 MB records are there")
    func seeded() {
        let first = AdversarialRecords().generate(count: 1_500, seed: 1)
        #expect(first == AdversarialRecords().generate(count: 1_500, seed: 1))
        #expect(first != AdversarialRecords().generate(count: 1_500, seed: 2))
        #expect(first.filter { $0.value.count > 1_000_000 - 1 }.count == 2)
        #expect(first.allSatisfy { $0.value.count + ($0.key?.utf8.count ?? 0) < AdversarialRecords().brokerMaxRecordBytes - 512 })
    }

    @Test("JSON nested 1,000,000 levels is refused as too deep, without exhausting the stack")
    func millionLevels() throws {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 1_000_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        var limits = RequestLimits()
        limits.maxRecordBytes = 3_000_000
        let rejection = try #require(RequestParser(limits: limits).parse(Self.message(SampleRecord(key: nil, value: deep, expectation: .deadLetter(reason: "not_json")))).failure)
        #expect(rejection.reason == .notJSON)
        #expect(rejection.message.contains("nested too deeply"))
    }
}

extension Result {
    /// The error, when this is a failure.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
