import Foundation
import Testing

@testable import InformaticaClient

@Suite("JSON parsing and writing")
struct JSONParserTests {
    @Test("parses every kind of value, escapes and surrogate pairs included")
    func values() throws {
        let text = #"{"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "i": -12, "d": 1.5e2, "t": true, "f": false, "n": null, "a": [1, [], {}]}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["i"] == .integer(-12))
        #expect(value["d"] == .number(JSONNumber(text: "1.5e2")))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["n"] == .null)
        #expect(value["a"] == .array([.integer(1), .array([]), .object([:])]))
    }

    @Test("agrees with Foundation's decoder on the seed's response")
    func agreesWithFoundation() throws {
        let bytes = Array(ScriptedTransport.seedResponse.utf8)
        #expect(try JSONParser.parse(bytes) == JSONDecoder().decode(JSONValue.self, from: Data(bytes)))
    }

    @Test(
        "rejects malformed documents",
        arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1}}", "01x", "\"\u{01}\"", "+1"]
    )
    func malformed(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("deep nesting is refused rather than overflowing the stack")
    func depth() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("writing escapes quotes, backslashes and control characters, and round-trips")
    func writing() throws {
        let value = JSONValue.object(["k": .string("q\"b\\n\n\u{01}"), "a": .array([.integer(1), .bool(false), .null])])
        #expect(value.description == #"{"a":[1,false,null],"k":"q\"b\\n\n\u0001"}"#)
        #expect(try JSONParser.parse(Array(value.description.utf8)) == value)
    }

    @Test("quoting appends the runs between escapes whole: multi-byte text beside escapes, escapes at either end, every control character")
    func quotingRuns() throws {
        var out = ""
        JSONValue.quote("\"é\u{1F600}\\ü\t", into: &out)
        #expect(out == #""\"é😀\\ü\t""#)
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        for text in ["", "plain", "\"", controls, "a\u{7F}b\u{2028}c", controls + "ünïcödé" + controls] {
            let value = JSONValue.string(text)
            #expect(try JSONParser.parse(Array(value.description.utf8)) == value, "\(text.unicodeScalars.map(\.value))")
        }
        out = ""
        JSONValue.quote("\u{1F}", into: &out)
        #expect(out == #""\u001f""#)
    }
}
