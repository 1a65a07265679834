import InformaticaClient

/// Writes one JSON object member by member, in the order given (events read top-down).
struct JSONObjectWriter {
    private var text = "{"
    private var isFirst = true

    /// A string member; `nil` writes `null`.
    mutating func string(_ name: String, _ value: String?) {
        self.name(name)
        if let value { JSONValue.quote(value, into: &self.text) } else { self.text += "null" }
    }

    /// An integer member; `nil` writes `null`.
    mutating func integer(_ name: String, _ value: Int64?) {
        self.name(name)
        self.text += value.map { String($0) } ?? "null"
    }

    /// A boolean member.
    mutating func bool(_ name: String, _ value: Bool) {
        self.name(name)
        self.text += value ? "true" : "false"
    }

    /// A member whose value is JSON text already (written as it is); `nil` writes `null`.
    mutating func raw(_ name: String, _ json: String?) {
        self.name(name)
        self.text += json ?? "null"
    }

    /// A member holding a nested object.
    mutating func object(_ name: String, _ build: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter()
        build(&nested)
        self.raw(name, nested.finish())
    }

    /// The finished object's text.
    func finish() -> String { self.text + "}" }

    private mutating func name(_ name: String) {
        if !self.isFirst { self.text += "," }
        self.isFirst = false
        JSONValue.quote(name, into: &self.text)
        self.text += ":"
    }
}
