import CodetaskWorker
import InformaticaSimulator
import Kafka

/// Builds one adversarial record at a time for ``AdversarialRecords``; each kind is a method (in the
/// `AdversarialRecordMaker+…` files) returning the record and the outcome the worker must reach.
struct AdversarialRecordMaker {
    /// A way of making a record.
    typealias Kind = @Sendable (inout AdversarialRecordMaker) -> SampleRecord

    /// The record's position in the generated sequence (part of its ids, so ids are unique).
    let index: Int
    let limits: RequestLimits
    var random: SeededGenerator

    /// Small valid requests, some of them odd-looking.
    static let validKinds: [Kind] = [
        { $0.plainValid() }, { $0.numericId() }, { $0.binaryHeaders() }, { $0.duplicateUnknownField() },
        { $0.oddRequestId() }, { $0.escapedCodeTaskId() }, { $0.oddWhitespace() }, { $0.edgeTraceparent() },
        { $0.idsAtTheirLimits() }, { $0.nestedToTheDepthLimit() },
    ]

    /// Small malformed records.
    static let malformedKinds: [Kind] = [
        { $0.randomBytes() }, { $0.invalidUTF8() }, { $0.truncatedJSON() }, { $0.controlCharacters() },
        { $0.byteOrderMark() }, { $0.notAnObject() }, { $0.almostJSON() }, { $0.duplicateField() },
        { $0.wrongTypeCodeTaskId() }, { $0.injectedCodeTaskId() }, { $0.invalidRequestId() }, { $0.invalidContext() },
        { $0.malformedTraceparent() }, { $0.tombstone() }, { $0.forgedDeadLetterHeaders() }, { $0.idsPastTheirLimits() },
        { $0.nestedPastTheDepthLimit() },
    ]

    /// Large records (tens of KiB): both sides of the value and context limits, huge strings, deep nesting.
    static let heavyKinds: [Kind] = [
        { $0.valueAtLimit() }, { $0.valuePastLimit() }, { $0.contextAtLimit() }, { $0.contextPastLimit() },
        { $0.nestedTenThousandLevels() }, { $0.hugeTraceparent() }, { $0.hugeIds() }, { $0.hugeKeyAndHeader() },
    ]

    // MARK: Building blocks

    /// A code task id unique to this record, which the simulator starts.
    var codeTaskId: String { "ct-fz-\(self.index)" }

    /// A valid request body with optional extra members (written before the id).
    func body(_ members: String = "") -> String {
        #"{\#(members)"codeTaskId":"\#(self.codeTaskId)","requestId":"fz-\#(self.index)"}"#
    }

    /// A W3C `traceparent` of random, non-zero ids.
    mutating func traceparent(version: String = "00") -> String {
        "\(version)-\(self.hex(32))-\(self.hex(16))-01"
    }

    /// `count` random lower-case hex digits, the first one non-zero.
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { $0 == 0 ? digits[Int.random(in: 1..<16, using: &self.random)] : digits.randomElement(using: &self.random)! })
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int, in range: ClosedRange<UInt8> = 0...255) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: range, using: &self.random) }
    }

    /// One of `choices`, at random.
    mutating func pick<T>(_ choices: [T]) -> T {
        choices.randomElement(using: &self.random)!
    }

    /// A valid request for `codeTaskId` (this record's by default).
    func valid(_ value: String, codeTaskId: String? = nil, key: String? = nil, headers: [KafkaHeader] = []) -> SampleRecord {
        self.valid(Array(value.utf8), codeTaskId: codeTaskId, key: key, headers: headers)
    }

    /// A valid request for `codeTaskId` (this record's by default), from bytes.
    func valid(_ value: [UInt8], codeTaskId: String? = nil, key: String? = nil, headers: [KafkaHeader] = []) -> SampleRecord {
        SampleRecord(key: key, value: value, headers: headers, expectation: .start(codeTaskId: codeTaskId ?? self.codeTaskId))
    }

    /// A record the worker must dead-letter with `reason`.
    func malformed(_ value: String, _ reason: RequestRejection.Reason, key: String? = nil, headers: [KafkaHeader] = [])
        -> SampleRecord
    {
        self.malformed(Array(value.utf8), reason, key: key, headers: headers)
    }

    /// A record the worker must dead-letter with `reason`, from bytes.
    func malformed(_ value: [UInt8], _ reason: RequestRejection.Reason, key: String? = nil, headers: [KafkaHeader] = [])
        -> SampleRecord
    {
        SampleRecord(key: key ?? "fz-\(self.index)", value: value, headers: headers, expectation: .deadLetter(reason: reason.rawValue))
    }
}
