import ArgumentParser
import Foundation

/// librdkafka properties as `key=value` lines, the format of `--kafka-properties` files.
enum KafkaPropertiesFile {
    /// The properties of a file (blank lines and `#` comments skipped); none when no file is given.
    /// - Throws: `ValidationError` naming the setting and the line when the file is unreadable or malformed
    ///   (a line's content is not shown: it may hold a SASL password).
    static func read(_ path: String?, setting: Setting) throws -> [String: String] {
        guard let path else { return [:] }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(setting.names): cannot read the file \(path)")
        }
        var properties: [String: String] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let (key, value) = Self.keyValue(trimmed) else {
                throw ValidationError("\(setting.names): line \(index + 1) of \(path) is not key=value")
            }
            properties[key] = value
        }
        return properties
    }

    /// Splits `key=value` at the first `=`; `nil` without one or without a key.
    static func keyValue(_ text: some StringProtocol) -> (String, String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (
            String(text[..<equals]).trimmingCharacters(in: .whitespaces),
            String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        )
    }
}
