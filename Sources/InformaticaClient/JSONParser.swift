/// A small, allocation-light JSON parser producing ``JSONValue``; the client parses every answer with it
/// (Foundation's `JSONDecoder` into an untyped value costs several times more per call).
///
/// It follows RFC 8259 exactly: numbers match `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and keep
/// their text (``JSONNumber``; `007`, `01`, `1.`, `-.5` and `+1` are refused, `1e400` is accepted); strings must
/// be valid UTF-8 without raw control characters; a `\u` surrogate must be a high one followed by a low one
/// (a lone surrogate is always refused, never replaced); no byte-order mark, comments or trailing commas.
/// Objects may repeat a name (``parseMembers(_:)`` keeps every member; ``JSONValue/object(_:)`` the last).
public struct JSONParser {
    /// Why a document did not parse.
    public struct Failure: Error, Hashable, CustomStringConvertible {
        /// The byte offset where parsing stopped.
        public var offset: Int
        /// What was wrong there.
        public var reason: String

        /// `<reason> at byte <offset>`.
        public var description: String { "\(self.reason) at byte \(self.offset)" }
    }

    /// One member of a top-level object, with the bytes of its value so it can be passed on verbatim.
    public struct Member: Sendable, Hashable {
        /// The member name.
        public var name: String
        /// The parsed value.
        public var value: JSONValue
        /// The value's bytes in the document, exactly as they were written.
        public var raw: ArraySlice<UInt8>
    }

    /// The deepest nesting of arrays and objects accepted (the top-level value is depth 1); deeper documents are
    /// refused ("nested too deeply") before they can exhaust the stack.
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole JSON document (RFC 8259).
    /// - Throws: ``Failure`` when the bytes are not exactly one JSON value.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes)
        let value = try parser.value()
        try parser.expectEnd()
        return value
    }

    /// Parses a whole JSON document whose top level should be an object, keeping each member's raw bytes.
    /// - Returns: The members in document order (a repeated name appears twice), or `nil` when the document
    ///   is valid JSON but not an object.
    /// - Throws: ``Failure`` when the bytes are not exactly one JSON value.
    public static func parseMembers(_ bytes: [UInt8]) throws(Failure) -> [Member]? {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        guard parser.peek() == UInt8(ascii: "{") else {
            _ = try parser.value()
            try parser.expectEnd()
            return nil
        }
        var members: [Member] = []
        try parser.objectMembers { name, value, range in members.append(Member(name: name, value: value, raw: bytes[range])) }
        try parser.expectEnd()
        return members
    }

    private mutating func expectEnd() throws(Failure) {
        self.skipWhitespace()
        guard self.index == self.bytes.count else { throw self.failure("trailing characters") }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        self.skipWhitespace()
        guard self.index < self.bytes.count else { throw self.failure("unexpected end") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.object()
        case UInt8(ascii: "["): return try self.array()
        case UInt8(ascii: "\""): return .string(try self.string())
        case UInt8(ascii: "t"): try self.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try self.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try self.literal("null"); return .null
        default: return try self.number()
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        // Informatica answers have a handful of members: start with room for them instead of growing 1, 2, 4, 8.
        var members = [String: JSONValue](minimumCapacity: 8)
        try self.objectMembers { name, value, _ in members[name] = value }
        return .object(members)
    }

    /// Reads an object, handing each member (name, value, byte range of the value) to `visit` in order.
    private mutating func objectMembers(_ visit: (String, JSONValue, Range<Int>) -> Void) throws(Failure) {
        try self.enter()
        self.index += 1
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return
        }
        while true {
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: "\"") else { throw self.failure("expected a member name") }
            let key = try self.string()
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else { throw self.failure("expected ':'") }
            self.index += 1
            self.skipWhitespace()
            let start = self.index
            let value = try self.value()
            visit(key, value, start..<self.index)
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                self.depth -= 1
                return
            default: throw self.failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try self.enter()
        self.index += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try self.value())
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                self.depth -= 1
                return .array(elements)
            default: throw self.failure("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws(Failure) -> String {
        self.index += 1
        let start = self.index
        var ascii = true
        // Fast path: no escapes.
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                defer { self.index += 1 }
                return try self.text(self.bytes[start..<self.index], ascii: ascii, at: start)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw self.failure("control character in a string") }
            if byte >= 0x80 { ascii = false }
            self.index += 1
        }
        var scalars = Array(self.bytes[start..<self.index])
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""): return try self.text(scalars[...], ascii: false, at: start)
            case UInt8(ascii: "\\"): try self.escape(into: &scalars)
            case ..<0x20: throw self.failure("control character in a string")
            default: scalars.append(byte)
            }
        }
        throw self.failure("unterminated string")
    }

    /// The string of a literal's bytes; RFC 8259 documents are UTF-8, so invalid UTF-8 is refused, never replaced.
    private func text(_ bytes: ArraySlice<UInt8>, ascii: Bool, at start: Int) throws(Failure) -> String {
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(offset: start, reason: "invalid UTF-8 in a string")
        }
        return text
    }

    private mutating func escape(into out: inout [UInt8]) throws(Failure) {
        guard let byte = self.peek() else { throw self.failure("unterminated escape") }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try self.hex4()
            if (0xDC00..<0xE000).contains(code) { throw self.failure("lone low surrogate escape") }
            if (0xD800..<0xDC00).contains(code) {
                // A high surrogate must be followed by a low one; a lone surrogate is always refused
                // (it has no Unicode scalar, and replacing it would change the text).
                guard self.peek() == UInt8(ascii: "\\"), self.index + 1 < self.bytes.count,
                    self.bytes[self.index + 1] == UInt8(ascii: "u")
                else { throw self.failure("lone high surrogate escape") }
                self.index += 2
                let low = try self.hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw self.failure("lone high surrogate escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw self.failure("invalid \\u escape") }
            out.append(contentsOf: UTF8.encode(scalar)!)
        default: throw self.failure("invalid escape")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.failure("invalid hex digit")
            }
            value = value << 4 | UInt32(digit)
            self.index += 1
        }
        return value
    }

    /// A number exactly per RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Integers that fit 64 bits become ``JSONValue/integer(_:)``; every other number keeps its text.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = self.index
        var isInteger = true
        if self.peek() == UInt8(ascii: "-") { self.index += 1 }
        switch self.peek() {
        case UInt8(ascii: "0"):
            self.index += 1
            if let next = self.peek(), Self.isDigit(next) { throw self.failure("leading zero in a number") }
        case let byte? where Self.isDigit(byte):
            self.skipDigits()
        default:
            throw self.failure(self.index == start ? "unexpected character" : "invalid number")
        }
        if self.peek() == UInt8(ascii: ".") {
            isInteger = false
            self.index += 1
            guard let next = self.peek(), Self.isDigit(next) else { throw self.failure("a fraction needs digits") }
            self.skipDigits()
        }
        if self.peek() == UInt8(ascii: "e") || self.peek() == UInt8(ascii: "E") {
            isInteger = false
            self.index += 1
            if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") { self.index += 1 }
            guard let next = self.peek(), Self.isDigit(next) else { throw self.failure("an exponent needs digits") }
            self.skipDigits()
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        if isInteger, text != "-0", let integer = Int64(text) { return .integer(integer) }
        return .number(JSONNumber(text: text))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = self.peek(), Self.isDigit(byte) { self.index += 1 }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.failure("invalid literal") }
        let matches = word.withUTF8Buffer { expected in
            expected.indices.allSatisfy { self.bytes[self.index + $0] == expected[$0] }
        }
        guard matches else { throw self.failure("invalid literal") }
        self.index += count
    }

    private mutating func enter() throws(Failure) {
        self.depth += 1
        guard self.depth <= Self.maxDepth else { throw self.failure("nested too deeply") }
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { self.index += 1 }
    }

    private func peek() -> UInt8? {
        self.index < self.bytes.count ? self.bytes[self.index] : nil
    }

    private func failure(_ reason: String) -> Failure {
        Failure(offset: self.index, reason: reason)
    }
}
