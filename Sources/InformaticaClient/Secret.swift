/// A secret string, such as a password or a session id, that never prints its value.
///
/// `description`, `debugDescription` and the reflection mirror all show `<redacted>`, so a secret
/// that ends up in string interpolation, a log message or `dump(_:)` does not leak.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringLiteral
{
    /// The secret value; only the client module reads it, to put it on the wire.
    let value: String

    /// Wraps a secret value.
    /// - Parameter value: The password or session id.
    public init(_ value: String) {
        self.value = value
    }

    /// Wraps a secret written as a literal (tests and examples).
    public init(stringLiteral value: String) {
        self.value = value
    }

    /// Whether the secret is the empty string.
    public var isEmpty: Bool { self.value.isEmpty }

    /// The number of characters in the secret (session ids reach 16,000 characters).
    public var count: Int { self.value.count }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }

    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }

    /// An empty mirror, so `dump(_:)` shows nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: []) }
}
