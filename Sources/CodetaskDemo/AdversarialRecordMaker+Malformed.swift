import CodetaskWorker
import InformaticaClient
import Kafka

/// Small malformed records, each with the reason the worker must dead-letter it for.
extension AdversarialRecordMaker {
    /// Random bytes with at least one 0xFF, which no UTF-8 text contains.
    mutating func randomBytes() -> SampleRecord {
        var value = self.bytes(Int.random(in: 1...512, using: &self.random))
        value[Int.random(in: 0..<value.count, using: &self.random)] = 0xFF
        return self.malformed(value, .invalidUTF8)
    }

    /// A valid request with an invalid UTF-8 sequence inside its id: overlong, surrogate, truncated, stray
    /// continuation byte, five-byte form, past U+10FFFF.
    mutating func invalidUTF8() -> SampleRecord {
        let sequence = self.pick([[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
        return self.malformed(Array(#"{"codeTaskId":"ct-"#.utf8) + sequence + Array(#""}"#.utf8), .invalidUTF8)
    }

    /// A valid request cut short (any proper prefix of an object is not JSON).
    mutating func truncatedJSON() -> SampleRecord {
        let whole = Array(self.body(#""context":{"a":[1,2,{"b":"c"}]},"#).utf8)
        return self.malformed(Array(whole.prefix(Int.random(in: 1..<whole.count, using: &self.random))), .notJSON)
    }

    /// Only control characters (valid UTF-8, never JSON; whitespace alone is not JSON either).
    mutating func controlCharacters() -> SampleRecord {
        self.malformed(self.bytes(Int.random(in: 1...64, using: &self.random), in: 0x01...0x1F), .notJSON)
    }

    /// A byte-order mark before a valid request: UTF-8's is not JSON, UTF-16's are not UTF-8; and UTF-16 text.
    mutating func byteOrderMark() -> SampleRecord {
        let request = Array(self.body().utf8)
        switch Int.random(in: 0..<4, using: &self.random) {
        case 0: return self.malformed([0xEF, 0xBB, 0xBF] + request, .notJSON)
        case 1: return self.malformed([0xFE, 0xFF] + request, .invalidUTF8)
        case 2: return self.malformed([0xFF, 0xFE] + request, .invalidUTF8)
        default: return self.malformed(request.flatMap { [$0, 0] }, .notJSON)  // UTF-16LE without a mark
        }
    }

    /// JSON whose top level is not an object.
    mutating func notAnObject() -> SampleRecord {
        self.malformed(self.pick(["[]", #" "ct-1" "#, "42", "-1.5e3", "true", "null", #"[{"codeTaskId":"ct-1"}]"#]), .notAnObject)
    }

    /// Near-JSON: trailing data or commas, comments, single quotes, NaN, leading zeros, a lone surrogate escape.
    mutating func almostJSON() -> SampleRecord {
        let id = self.codeTaskId
        let texts = [
            #"{"codeTaskId":"\#(id)"} {}"#, #"{"codeTaskId":"\#(id)",}"#, #"{"codeTaskId":"\#(id)"} // c"#, "{'codeTaskId':'\(id)'}",
            #"{"codeTaskId":"\#(id)","n":NaN}"#, #"{"codeTaskId":007}"#, #"{"codeTaskId":"\#(id)","requestId":"\ud800"}"#,
            #"{"codeTaskId":"\#(id)""#, #"{codeTaskId:"\#(id)"}"#, #"{"codeTaskId":"\#(id)","n":01}"#, "{\"codeTaskId\":\"ct\u{1}\"}",
        ]
        return self.malformed(self.pick(texts), .notJSON)
    }

    /// A field the worker reads, twice (also when one spelling uses escapes).
    mutating func duplicateField() -> SampleRecord {
        let id = self.codeTaskId
        let texts = [
            #"{"codeTaskId":"\#(id)","codeTaskId":"\#(id)-b"}"#, #"{"codeTaskId":"\#(id)","requestId":"a","requestId":"b"}"#,
            #"{"codeTaskId":"\#(id)","context":{},"context":{"a":1}}"#, #"{"codeTaskId":"\#(id)","code\u0054askId":"x"}"#,
        ]
        return self.malformed(self.pick(texts), .duplicateField)
    }

    /// A code task id of every wrong type (and null or absent, which count as missing).
    mutating func wrongTypeCodeTaskId() -> SampleRecord {
        let wrong = ["1.5", "true", "false", "[]", #"["ct-1"]"#, "{}", #""""#, "-0", "1e3", "99999999999999999999", "-9223372036854775809"]
        switch Int.random(in: 0..<8, using: &self.random) {
        case 0: return self.malformed(#"{"codeTaskId":null}"#, .missingCodeTaskId)
        case 1: return self.malformed(#"{"requestId":"fz-\#(self.index)","codetaskid":"ct-1"}"#, .missingCodeTaskId)
        default: return self.malformed(#"{"codeTaskId":\#(self.pick(wrong))}"#, .invalidCodeTaskId)
        }
    }

    /// A code task id carrying a path, a query, a fragment, header injection or control characters.
    mutating func injectedCodeTaskId() -> SampleRecord {
        let ids = [
            "../../admin", "ct/..%2f..%2fadmin", "ct?x=1&y=2", "ct#frag", #"ct\r\nX-Injected: 1"#, "ct%0d%0aX-Injected:%201",
            #"ct\u0000"#, #"ct\u0007"#, " ct", "ct \u{E9}", "ct;rm -rf", "<script>", #"ct\"}"#, "http://evil/ct", #"ct\u2028"#,
        ]
        return self.malformed(#"{"codeTaskId":"\#(self.pick(ids))"}"#, .invalidCodeTaskId)
    }

    /// A request id of a wrong type, empty, or with control characters (header injection among them).
    mutating func invalidRequestId() -> SampleRecord {
        let ids = ["5", "true", "{}", "[]", #""""#, #""r\u0000""#, #""a\r\nX-Injected: 1""#, #""\u007f""#, #""\u0085""#, "1.5"]
        return self.malformed(#"{"codeTaskId":"\#(self.codeTaskId)","requestId":\#(self.pick(ids))}"#, .invalidRequestId)
    }

    /// A context that is not an object.
    mutating func invalidContext() -> SampleRecord {
        let contexts = [#""text""#, "[1]", "5", "true", #"[{"a":1}]"#]
        return self.malformed(#"{"codeTaskId":"\#(self.codeTaskId)","context":\#(self.pick(contexts))}"#, .invalidContext)
    }

    /// A `traceparent` of the wrong shape: upper case, short, long, version ff, zero ids, version 00 with more,
    /// bad dashes, binary, a NUL, or a valid one followed by an invalid one (the last one counts).
    mutating func malformedTraceparent() -> SampleRecord {
        let good = self.traceparent()
        let texts: [[UInt8]] = [
            Array(good.uppercased().utf8), Array(good.dropLast().utf8), Array((good + "0").utf8), Array(("ff" + good.dropFirst(2)).utf8),
            Array("00-\(String(repeating: "0", count: 32))-\(self.hex(16))-01".utf8),
            Array("00-\(self.hex(32))-\(String(repeating: "0", count: 16))-01".utf8), Array((good + "-more").utf8),
            Array(good.replacingOccurrences(of: "-", with: "_").utf8), self.bytes(55), Array(good.utf8.dropLast()) + [0],
            Array("00-\(self.hex(32))-\(self.hex(16))-0g".utf8),
        ]
        var headers = [KafkaHeader(name: "traceparent", value: self.pick(texts))]
        if Bool.random(using: &self.random) { headers.insert(KafkaHeader(name: "traceparent", value: good), at: 0) }
        return self.malformed(self.body(), .invalidTraceparent, headers: headers)
    }

    /// A null value.
    mutating func tombstone() -> SampleRecord {
        var record = self.malformed([UInt8](), .tombstone)
        record.isTombstone = true
        return record
    }

    /// Malformed records carrying headers named like the worker's own, with text and binary values.
    mutating func forgedDeadLetterHeaders() -> SampleRecord {
        let headers = [
            KafkaHeader(name: DeadLetterHeader.reason, value: "forged"), KafkaHeader(name: DeadLetterHeader.sourceOffset, value: "0"),
            KafkaHeader(name: DeadLetterHeader.truncated, value: self.bytes(16)), KafkaHeader(name: "dlq_", value: nil as [UInt8]?),
        ]
        return self.malformed(#"{"codeTaskId":"#, .notJSON, headers: headers)
    }

    /// The code task id, request id and `traceparent` one past their limits.
    mutating func idsPastTheirLimits() -> SampleRecord {
        let code = String(repeating: "C", count: self.limits.maxCodeTaskIdLength + 1)
        let request = String(repeating: "\u{E9}", count: self.limits.maxRequestIdLength + 1)
        switch Int.random(in: 0..<3, using: &self.random) {
        case 0: return self.malformed(#"{"codeTaskId":"\#(code)"}"#, .invalidCodeTaskId)
        case 1: return self.malformed(#"{"codeTaskId":"\#(self.codeTaskId)","requestId":"\#(request)"}"#, .invalidRequestId)
        default:
            let long = self.traceparent(version: "cc") + "-" + String(repeating: "x", count: Traceparent.maxLength - 55)
            return self.malformed(self.body(), .invalidTraceparent, headers: [KafkaHeader(name: "traceparent", value: long)])
        }
    }

    /// A member nested one level deeper than the JSON parser allows.
    mutating func nestedPastTheDepthLimit() -> SampleRecord {
        let levels = JSONParser.maxDepth
        return self.malformed(self.body(#""deep":\#(String(repeating: "[", count: levels))\#(String(repeating: "]", count: levels)),"#), .notJSON)
    }
}
