import CodetaskWorker
import Kafka

/// Large records: both sides of the value and context limits, huge strings, deep nesting, records near the
/// broker's size limit.
extension AdversarialRecordMaker {
    /// A valid request padded by a member the worker ignores to exactly the record limit.
    mutating func valueAtLimit() -> SampleRecord {
        self.valid(self.padded(to: self.limits.maxRecordBytes))
    }

    /// The same one byte longer.
    mutating func valuePastLimit() -> SampleRecord {
        self.malformed(self.padded(to: self.limits.maxRecordBytes + 1), .tooLarge)
    }

    /// A valid request whose context is exactly the context limit, in bytes as written.
    mutating func contextAtLimit() -> SampleRecord {
        self.valid(self.body(#""context":\#(self.context(bytes: self.limits.maxContextBytes)),"#))
    }

    /// The same with a context one byte longer.
    mutating func contextPastLimit() -> SampleRecord {
        self.malformed(self.body(#""context":\#(self.context(bytes: self.limits.maxContextBytes + 1)),"#), .invalidContext)
    }

    /// JSON nested 10,000 levels: arrays closed or left open, or objects inside the context.
    mutating func nestedTenThousandLevels() -> SampleRecord {
        let levels = 10_000
        let text: String
        switch Int.random(in: 0..<3, using: &self.random) {
        case 0: text = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        case 1: text = String(repeating: "[", count: levels)
        default:
            let context = String(repeating: #"{"a":"#, count: levels) + "1" + String(repeating: "}", count: levels)
            text = self.body(#""context":\#(context),"#)
        }
        return self.malformed(text, text.utf8.count > self.limits.maxRecordBytes ? .tooLarge : .notJSON)
    }

    /// A valid request with a `traceparent` of 60,000 bytes.
    mutating func hugeTraceparent() -> SampleRecord {
        let trace = self.traceparent(version: "01") + "-" + self.hex(60_000)
        return self.malformed(self.body(), .invalidTraceparent, headers: [KafkaHeader(name: "traceparent", value: trace)])
    }

    /// A code task id or a request id of 60,000 characters.
    mutating func hugeIds() -> SampleRecord {
        let huge = String(repeating: "C", count: 60_000)
        if Bool.random(using: &self.random) { return self.malformed(#"{"codeTaskId":"\#(huge)"}"#, .invalidCodeTaskId) }
        return self.malformed(#"{"codeTaskId":"\#(self.codeTaskId)","requestId":"\#(huge)"}"#, .invalidRequestId)
    }

    /// A valid request with a 30,000-character key and a 30,000-byte binary header.
    mutating func hugeKeyAndHeader() -> SampleRecord {
        let key = String(repeating: "k", count: 30_000)
        return self.valid(self.body(), key: key, headers: [KafkaHeader(name: "blob", value: self.bytes(30_000))])
    }

    /// One million opening brackets: too large for the worker's limit, or too deep for the parser under a larger one.
    mutating func nestedMillionLevels() -> SampleRecord {
        let value = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        return self.malformed(value, value.count > self.limits.maxRecordBytes ? .tooLarge : .notJSON)
    }

    /// A request padded to 1 KiB under the broker's limit (its dead-letter copy must be shortened to fit).
    mutating func justUnderBrokerLimit(_ brokerMaxRecordBytes: Int) -> SampleRecord {
        let value = self.padded(to: brokerMaxRecordBytes - 1024)
        return value.count > self.limits.maxRecordBytes ? self.malformed(value, .tooLarge) : self.valid(value)
    }

    /// A valid request of exactly `size` bytes, padded by an ignored member of random letters.
    private mutating func padded(to size: Int) -> String {
        let empty = self.body(#""pad":"","#)
        let letters = self.bytes(size - empty.utf8.count, in: UInt8(ascii: "a")...UInt8(ascii: "z"))
        return self.body(#""pad":"\#(String(decoding: letters, as: UTF8.self))","#)
    }

    /// A context object of exactly `bytes` bytes.
    private mutating func context(bytes: Int) -> String {
        let letters = self.bytes(bytes - #"{"p":""}"#.utf8.count, in: UInt8(ascii: "a")...UInt8(ascii: "z"))
        return #"{"p":"\#(String(decoding: letters, as: UTF8.self))"}"#
    }
}
