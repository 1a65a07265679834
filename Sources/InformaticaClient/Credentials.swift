/// A user name and password for an Informatica login; the password never prints.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The Informatica user name.
    public var username: String
    /// The password, redacted in every description.
    public var password: Secret

    /// Creates credentials.
    /// - Parameters:
    ///   - username: The Informatica user name.
    ///   - password: The password.
    public init(username: String, password: Secret) {
        self.username = username
        self.password = password
    }

    /// `username=<name> password=<redacted>`.
    public var description: String { "username=\(self.username) password=<redacted>" }
}
