import Foundation

/// Generates input records: valid requests and every kind of malformed record, deterministically.
public enum SampleRequests {
    /// A valid request for `codeTaskId`, keyed by tenant for some and carrying a context and trace for all.
    public static func valid(index: Int, codeTaskId: String) -> SampleRecord {
        let context = #"{"batch":"sample","index":\#(index),"note":"passed through \"as is\""}"#
        let body = #"{"codeTaskId":"\#(codeTaskId)","requestId":"req-\#(index)","context":\#(context),"extra":true}"#
        // A W3C trace id must not be all zeros, so the one of index 0 too has a non-zero digit.
        let trace = "00-\(String(repeating: "0", count: 23))1\(String(format: "%08x", index))-00000000000000a1-01"
        return SampleRecord(
            key: index % 2 == 0 ? "tenant-\(index % 7)" : nil,
            value: Array(body.utf8),
            headers: [.init(name: "traceparent", value: trace)],
            expectation: .start(codeTaskId: codeTaskId)
        )
    }

    /// A malformed record; `variant` picks one of ``malformedVariantCount`` kinds.
    public static func malformed(index: Int, variant: Int, maxRecordBytes: Int = 64 * 1024) -> SampleRecord {
        let (value, reason): ([UInt8], String)
        switch variant % Self.malformedVariantCount {
        case 0: (value, reason) = (Array(#"{"codeTaskId": "ct-\#(index)""#.utf8), "not_json")
        case 1: (value, reason) = (Array("[1, 2, 3]".utf8), "not_an_object")
        case 2: (value, reason) = (Array(#"{"requestId":"orphan-\#(index)"}"#.utf8), "missing_code_task_id")
        case 3: (value, reason) = (Array(#"{"codeTaskId":"../../admin?x=\#(index)"}"#.utf8), "invalid_code_task_id")
        case 4: (value, reason) = ([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "invalid_utf8")
        case 5: (value, reason) = (Array(#"{"codeTaskId":"ct-\#(index)","context":"not an object"}"#.utf8), "invalid_context")
        case 6: (value, reason) = (Array(repeating: UInt8(ascii: " "), count: maxRecordBytes + 1), "too_large")
        case 7: (value, reason) = (Array(#"{"codeTaskId":"a","codeTaskId":"b"}"#.utf8), "duplicate_field")
        case 8: (value, reason) = (Array(#"{"codeTaskId":true}"#.utf8), "invalid_code_task_id")
        default: (value, reason) = (Array(#"{"codeTaskId":"ct-\#(index)","requestId":""}"#.utf8), "invalid_request_id")
        }
        return SampleRecord(key: "bad-\(index)", value: value, expectation: .deadLetter(reason: reason))
    }

    /// The number of malformed kinds.
    public static let malformedVariantCount = 10

    /// A deterministic mix: every `malformedEvery`-th record malformed, every `unknownEvery`-th one for an
    /// unknown task (`missing-…`), every `failingEvery`-th one for a task that always answers 503 (`down-…`);
    /// the rest valid (`ct-…`, some given as JSON numbers).
    /// Oversized samples are `maxRecordBytes + 1` bytes long.
    public static func mix(
        count: Int, malformedEvery: Int = 0, unknownEvery: Int = 0, failingEvery: Int = 0, maxRecordBytes: Int = 64 * 1024
    ) -> [SampleRecord] {
        (0..<count).map { index in
            if malformedEvery > 0, index % malformedEvery == malformedEvery - 1 {
                return Self.malformed(index: index, variant: index / malformedEvery, maxRecordBytes: maxRecordBytes)
            }
            if unknownEvery > 0, index % unknownEvery == 1 { return Self.valid(index: index, codeTaskId: "missing-\(index)") }
            if failingEvery > 0, index % failingEvery == 2 { return Self.valid(index: index, codeTaskId: "down-\(index)") }
            if index % 10 == 5 { return Self.numeric(index: index) }
            return Self.valid(index: index, codeTaskId: "ct-\(index)")
        }
    }

    /// A valid request whose code task id is a JSON number (normalised to a string by the worker).
    private static func numeric(index: Int) -> SampleRecord {
        let id = 900_000 + index
        return SampleRecord(
            key: nil, value: Array(#"{"codeTaskId":\#(id)}"#.utf8), expectation: .start(codeTaskId: String(id)))
    }
}
