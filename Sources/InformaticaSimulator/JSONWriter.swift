/// An ordered JSON document, so answers keep the documented field order byte for byte.
indirect enum JSONWriter {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case object([(String, JSONWriter)])
    case array([JSONWriter])

    /// The compact JSON text.
    var text: String {
        var out = ""
        self.write(to: &out, separator: ":", comma: ",")
        return out
    }

    /// JSON text in the style of the documentation's examples: `{ "a": 1, "b": "x" }`.
    var documentText: String {
        var out = ""
        self.write(to: &out, separator: ": ", comma: ", ")
        return out
    }

    private func write(to out: inout String, separator: String, comma: String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): Self.quote(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += comma }
                value.write(to: &out, separator: separator, comma: comma)
            }
            out += "]"
        case .object(let members):
            let pad = separator == ": " && !members.isEmpty ? " " : ""
            out += "{" + pad
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += comma }
                Self.quote(key, into: &out)
                out += separator
                value.write(to: &out, separator: separator, comma: comma)
            }
            out += pad + "}"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
