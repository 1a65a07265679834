import ArgumentParser
import Foundation

/// Resolves a setting from its flag, then its environment variable, then its default, and names the
/// flag and the variable when a value is bad.
struct SettingSource {
    var environment: [String: String] = ProcessInfo.processInfo.environment

    /// The flag's value, else the variable's, else `nil`.
    func string(_ flag: String?, env: String) -> String? {
        if let flag { return flag }
        if let value = self.environment[env], !value.isEmpty { return value }
        return nil
    }

    /// A parsed value: flag, variable or default.
    /// - Parameter expected: What a valid value is, for the message (e.g. "a whole number from 1 to 100").
    /// - Throws: `ValidationError` naming the flag and the variable when the text does not parse.
    func value<T>(
        _ flag: String?, env: String, name: String, default fallback: T, expected: String = "a valid value",
        parse: (String) -> T?
    ) throws -> T {
        guard let text = self.string(flag, env: env) else { return fallback }
        guard let value = parse(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("--\(name) / \(env): '\(text.prefix(64))' is not \(expected)")
        }
        return value
    }

    /// A secret from a file (trailing newline removed) or from the environment; never from a flag value.
    /// - Throws: `ValidationError` naming the flag and the `<env>_FILE` variable when the file cannot be read.
    func secret(file: String?, env: String, name: String) throws -> String? {
        if let path = file ?? self.environment[env + "_FILE"] {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("--\(name) / \(env)_FILE: cannot read the file \(path)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return self.environment[env].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `key=value` lines (blank lines and `#` comments skipped) from a properties file.
    /// - Throws: `ValidationError` naming the flag and the line when the file is unreadable or malformed.
    func properties(file: String?, name: String) throws -> [String: String] {
        guard let file else { return [:] }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("--\(name): cannot read the file \(file)")
        }
        var properties: [String: String] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let (key, value) = Self.keyValue(trimmed) else {
                throw ValidationError("--\(name): line \(index + 1) of \(file) is not key=value")
            }
            properties[key] = value
        }
        return properties
    }

    /// Splits `key=value` at the first `=`.
    static func keyValue(_ text: some StringProtocol) -> (String, String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (
            String(text[..<equals]).trimmingCharacters(in: .whitespaces),
            String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        )
    }
}
