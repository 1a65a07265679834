import CodetaskWorker
import InformaticaClient
import Kafka

/// Valid requests that look odd: each must get exactly one terminal event.
extension AdversarialRecordMaker {
    /// The demo's own valid sample.
    mutating func plainValid() -> SampleRecord {
        SampleRequests.valid(index: self.index, codeTaskId: self.codeTaskId)
    }

    /// The id as a JSON integer, with whitespace inside the object.
    mutating func numericId() -> SampleRecord {
        let id = 7_000_000_000 + self.index
        return self.valid(" {\n\t\"codeTaskId\" :\r\n \(id) } ", codeTaskId: String(id))
    }

    /// Headers the worker ignores, with binary and null values and odd names; a key with control characters.
    mutating func binaryHeaders() -> SampleRecord {
        let headers = [
            KafkaHeader(name: "bin", value: self.bytes(Int.random(in: 1...64, using: &self.random))),
            KafkaHeader(name: "null-value", value: nil as [UInt8]?),
            KafkaHeader(name: "empty", value: [UInt8]()),
            KafkaHeader(name: "x-injected\r\nSet-Cookie: a=b", value: "v\r\n\u{0}"),
            KafkaHeader(name: "traceparent", value: self.traceparent()),
        ]
        return self.valid(self.body(), key: "key\u{1}\r\n\u{7F}-\(self.index)", headers: headers)
    }

    /// A member the worker does not read, repeated: not a duplicate that matters.
    mutating func duplicateUnknownField() -> SampleRecord {
        self.valid(self.body(#""note":1,"note":"again","Codetaskid":"other","#))
    }

    /// A request id with path, query, fragment, percent signs and non-ASCII scalars: allowed, it only labels events.
    mutating func oddRequestId() -> SampleRecord {
        let id = self.pick(["../../admin?x=1#y", "%0d%0aSet-Cookie:%20a", "r\u{E9}p\u{E9}tition-\u{1F600}", "a b c"])
        return self.valid(#"{"codeTaskId":"\#(self.codeTaskId)","requestId":"\#(id)-\#(self.index)"}"#)
    }

    /// The id written with `\u` escapes and an escaped solidus elsewhere: the decoded id is valid.
    mutating func escapedCodeTaskId() -> SampleRecord {
        self.valid(#"{"\u0063odeTaskId":"\u0063t-fz-\#(self.index)","url":"http:\/\/x"}"#)
    }

    /// Whitespace everywhere JSON allows it, a null context and a null request id (both count as absent).
    mutating func oddWhitespace() -> SampleRecord {
        self.valid(" \r\n\t{ \"context\" : null , \"requestId\" : null , \"codeTaskId\" : \"\(self.codeTaskId)\" }\n\t ")
    }

    /// `traceparent` headers that are valid or count as absent: empty, null, a later version with more fields,
    /// exactly the longest accepted, an invalid one followed by a valid one (the last wins).
    mutating func edgeTraceparent() -> SampleRecord {
        let longest = self.traceparent(version: "cc") + "-" + String(repeating: "x", count: Traceparent.maxLength - 56)
        let headers: [KafkaHeader]
        switch Int.random(in: 0..<5, using: &self.random) {
        case 0: headers = [KafkaHeader(name: "traceparent", value: [UInt8]())]
        case 1: headers = [KafkaHeader(name: "traceparent", value: nil as [UInt8]?)]
        case 2: headers = [KafkaHeader(name: "traceparent", value: self.traceparent(version: "01") + "-more")]
        case 3: headers = [KafkaHeader(name: "traceparent", value: longest)]
        default: headers = [KafkaHeader(name: "traceparent", value: "garbage"), KafkaHeader(name: "traceparent", value: self.traceparent())]
        }
        return self.valid(self.body(), headers: headers)
    }

    /// The code task id and the request id exactly at their length limits (the request id mostly in two-byte scalars).
    mutating func idsAtTheirLimits() -> SampleRecord {
        let suffix = "-\(self.index)"
        let id = String(repeating: "C", count: self.limits.maxCodeTaskIdLength - suffix.count) + suffix
        let requestId = String(repeating: "\u{E9}", count: self.limits.maxRequestIdLength - suffix.count) + suffix
        return self.valid(#"{"codeTaskId":"\#(id)","requestId":"\#(requestId)"}"#, codeTaskId: id)
    }

    /// A member nested exactly as deep as the JSON parser allows (the object itself is the first level).
    mutating func nestedToTheDepthLimit() -> SampleRecord {
        let levels = JSONParser.maxDepth - 1
        return self.valid(self.body(#""deep":\#(String(repeating: "[", count: levels))\#(String(repeating: "]", count: levels)),"#))
    }
}
