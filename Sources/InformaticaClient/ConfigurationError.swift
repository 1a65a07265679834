/// A configuration value that the client cannot use; `setting` names it (e.g. `retry.maxAttempts`).
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The dotted name of the offending setting.
    public var setting: String
    /// What is wrong with it.
    public var message: String

    /// Creates a configuration error.
    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    /// `<setting>: <message>`.
    public var description: String { "\(self.setting): \(self.message)" }
}
