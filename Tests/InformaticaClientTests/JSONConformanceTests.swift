import Foundation
import Testing

@testable import InformaticaClient

/// RFC 8259 conformance: documents every parser must accept, documents it must refuse, and how numbers,
/// escapes and surrogates come out (after the cases of JSONTestSuite's y_ and n_ files).
@Suite("JSON conformance (RFC 8259)")
struct JSONConformanceTests {
    static let valid: [String] = [
        "0", "-0", "1", "-1", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.5E-05", "123456789012345678901234567890",
        "1e400", "-1e-400", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "\"\"", "\"a\"", #""\"\\\/\b\f\n\r\t""#, #""\u0000""#, #""\u00e9""#, #""\uD834\uDD1E""#, #""\uffff""#,
        "\"é😀\"", "\"\u{7F}\"", "\"\u{2028}\"", "true", "false", "null", "[]", "{}", " [ 1 , \"a\" , null ] ",
        #"{"a":{"b":[{}]}}"#, #"{"":0}"#, #"{"a":1,"a":2}"#, "\t\r\n 1 \t\r\n", "[-0.0e-0]", "[1E22]",
    ]

    static let invalid: [String] = [
        "", " ", "01", "-01", "007", "1.", "-.5", ".5", "+1", "1.e5", "1e", "1e+", "-", "--1", "0x10", "1_000",
        "NaN", "Infinity", "-Infinity", "[1,]", "[,1]", "{\"a\":1,}", "{a:1}", "{'a':1}", "['a']", "\"a", "\"\\x\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"\\uD800\"", "\"\\uDC00\"", "\"\\uD800\\u0041\"", "\"\\uD800x\"", "\"\\uDBFF\\uDBFF\"",
        "\"\t\"", "\"\n\"", "[1 2]", "{\"a\" 1}", "{\"a\":}", "tru", "nul", "True", "1 2", "[]]", "{}x", "/* c */ 1",
        "\u{FEFF}1", "[1]\u{0}",
    ]

    @Test("accepts every valid document", arguments: valid)
    func accepts(text: String) {
        #expect(throws: Never.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("refuses every invalid document", arguments: invalid)
    func refuses(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("refuses invalid UTF-8 inside strings instead of replacing it", arguments: [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        let document = Array(#"{"jobId": "ab"#.utf8) + bytes + Array(#"cd"}"#.utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(document) }
    }

    @Test("numbers keep their text: nothing is rounded or converted")
    func numbers() throws {
        #expect(try JSONParser.parse(Array("12345678901234567890123".utf8)) == .number(JSONNumber(text: "12345678901234567890123")))
        #expect(try JSONParser.parse(Array("1e400".utf8)).textValue == "1e400")
        #expect(try JSONParser.parse(Array("-0".utf8)) == .number(JSONNumber(text: "-0")))
        #expect(try JSONParser.parse(Array("1.50".utf8)).description == "1.50")
        #expect(try JSONParser.parse(Array("-42".utf8)) == .integer(-42))
        #expect(JSONNumber(text: "1e400").doubleValue == nil)
    }

    @Test("escapes decode exactly, surrogate pairs included; lone surrogates are always refused")
    func escapes() throws {
        #expect(try JSONParser.parse(Array(#""\uD83D\uDE00\u00e9\/""#.utf8)) == .string("😀é/"))
        for lone in [#""\uD83D""#, #""\uDE00""#, #""a\uD83Db""#, #""\uD83D\n""#, #""\uD83D\uD83D""#] {
            #expect(throws: JSONParser.Failure.self, "\(lone)") { try JSONParser.parse(Array(lone.utf8)) }
        }
    }

    @Test("a document's members keep their bytes exactly as written")
    func rawMembers() throws {
        let text = #"{"jobId": 12345678901234567890123, "s": "a\u0041\/", "o": {"b": 1.0, "a": [ 1 ]}}"#
        let members = try #require(try JSONParser.parseMembers(Array(text.utf8)))
        #expect(members.map { String(decoding: $0.raw, as: UTF8.self) } == ["12345678901234567890123", #""a\u0041\/""#, #"{"b": 1.0, "a": [ 1 ]}"#])
    }
}
