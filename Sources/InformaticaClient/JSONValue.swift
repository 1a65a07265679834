/// A JSON value, used to keep every field of a response, including fields the client does not know.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits 64 bits.
    case integer(Int64)
    /// Any other number (a fraction, an exponent, `-0`, or beyond 64 bits), kept as written.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (member order is not kept; ``CodeTaskStarted/rawJSON`` keeps the bytes).
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(JSONNumber(value))
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value.doubleValue ?? 0)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string value, or `nil` when the value is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The string value, or the decimal text of a number (ids are sometimes sent as numbers).
    public var textValue: String? {
        switch self {
        case .string(let value): return value
        case .integer(let value): return String(value)
        case .number(let value): return value.text
        default: return nil
        }
    }

    /// The members of an object, or `nil` when the value is not an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Looks up a member of an object; `nil` for other values.
    public subscript(key: String) -> JSONValue? {
        self.objectValue?[key]
    }

    /// The value as compact JSON text, strings escaped per RFC 8259.
    public var description: String {
        var out = ""
        self.serialize(into: &out)
        return out
    }

    /// Appends the value's JSON text (object members sorted by name).
    public func serialize(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .number(let value): out += value.text
        case .string(let value): Self.quote(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.serialize(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                Self.quote(member.key, into: &out)
                out += ":"
                member.value.serialize(into: &out)
            }
            out += "}"
        }
    }

    /// Appends `text` as a JSON string literal, escaped per RFC 8259. The runs between characters that need an
    /// escape are appended whole (most text has none: one append), not scalar by scalar: the bytes that need one
    /// (`"`, `\`, controls) are ASCII, which never occurs inside a multi-byte UTF-8 sequence.
    public static func quote(_ text: String, into out: inout String) {
        out += "\""
        let utf8 = text.utf8
        var runStart = utf8.startIndex
        var index = runStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 {
                out += text[runStart..<index]
                Self.escape(byte, into: &out)
                runStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        out += text[runStart..<utf8.endIndex]
        out += "\""
    }

    /// Appends the escape of an ASCII byte that cannot stand in a JSON string.
    private static func escape(_ byte: UInt8, into out: inout String) {
        switch byte {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        default:
            let hex = String(byte, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}
