/// A JSON number kept as the exact text it was written with, so that passing it on never changes it
/// (a 23-digit id stays 23 digits; `1e400` stays `1e400`).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's text, valid per RFC 8259 (`-? int frac? exp?`).
    public let text: String

    /// Wraps a number's text as read by ``JSONParser`` (which checks the grammar).
    init(text: String) {
        self.text = text
    }

    /// A number from a finite `Double`, written the shortest way that reads back the same.
    public init(_ value: Double) {
        self.text = value.isFinite ? "\(value)" : "0"
    }

    /// The nearest `Double`, or `nil` when the number is outside `Double`'s range.
    public var doubleValue: Double? {
        guard let value = Double(self.text), value.isFinite else { return nil }
        return value
    }

    /// The number's text.
    public var description: String { self.text }
}
