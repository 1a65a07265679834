import ArgumentParser
import Configuration
import Foundation

/// Reads settings from their sources (see ``SettingSources``), checks each against its kind and range, and names
/// the setting (flag, variable and file key) and the source of a bad value. Secret values are never echoed.
struct SettingReader: Sendable {
    let sources: SettingSources

    /// A text setting, or `nil` when no source gives it (an empty text counts as not given).
    func text(_ setting: Setting) throws -> String? {
        guard case .string(let text)? = try self.content(setting, type: .string) else { return nil }
        return text.isEmpty ? nil : text
    }

    /// A boolean setting, or its default.
    /// true/false, 1/0 and yes/no in any case are accepted from every source (a YAML file reads `1` as a
    /// number, so its text is parsed here when the provider refuses it as a boolean).
    func bool(_ setting: Setting, default fallback: Bool) throws -> Bool {
        do {
            guard case .bool(let value)? = try self.sources.lookup(setting.key, type: .bool)?.content else { return fallback }
            return value
        } catch let error as SettingSources.SourceError {
            if case .string(let text)? = try? self.sources.lookup(setting.key, type: .string)?.content,
               let value = Self.boolean(text) {
                return value
            }
            throw self.invalid(setting, from: error)
        }
    }

    /// true/false, 1/0, yes/no, in any case.
    private static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: return nil
        }
    }

    /// A whole number setting within its range, or its default.
    func count(_ setting: Setting, default fallback: Int) throws -> Int {
        guard case .count(let range) = setting.kind else { preconditionFailure("\(setting.key) is not a count") }
        guard case .int(let value)? = try self.content(setting, type: .int) else { return fallback }
        guard range.contains(value) else { throw self.bad(setting, shown: "\(value)") }
        return value
    }

    /// A number setting (seconds or another number) within its range, or its default.
    func number(_ setting: Setting, default fallback: Double) throws -> Double {
        let range: ClosedRange<Double>
        switch setting.kind {
        case .seconds(let bounds), .number(let bounds): range = bounds
        default: preconditionFailure("\(setting.key) is not a number")
        }
        guard case .double(let value)? = try self.content(setting, type: .double) else { return fallback }
        // NaN and infinities are outside every range; the range is checked before any conversion.
        guard range.contains(value) else { throw self.bad(setting, shown: "\(value)") }
        return value
    }

    /// A duration setting given in seconds, rounded to milliseconds, or its default.
    func duration(_ setting: Setting, default fallback: Duration) throws -> Duration {
        .milliseconds((try self.number(setting, default: fallback.seconds) * 1000).rounded())
    }

    /// A list setting; empty when no source gives it.
    func list(_ setting: Setting) throws -> [String] {
        guard case .stringArray(let values)? = try self.content(setting, type: .stringArray) else { return [] }
        return values.filter { !$0.isEmpty }
    }

    /// A secret: from the file the setting names, or straight from the variable `direct` (e.g.
    /// `CODETASK_PASSWORD`), in precedence order: the flag's file, the variable's file, the variable `direct`, the
    /// configuration file's file (a secret itself is never a flag value or a configuration file value). The
    /// trailing newline of a file is removed.
    /// - Throws: `ValidationError` naming the setting when the file cannot be read (the path is shown, never
    ///   the content).
    func secret(_ setting: Setting, direct: String) throws -> String? {
        let directKey = String(direct.dropFirst("CODETASK_".count)).lowercased().camelCased
        for source in self.sources.sources {
            if case .string(let path)? = try self.content(setting, type: .string, in: [source]), !path.isEmpty {
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw ValidationError("\(setting.names): cannot read the file \(path)")
                }
                return text.trimmingCharacters(in: .newlines)
            }
            if source.name == SettingSources.environmentName,
               case .string(let value)? = try SettingSources([source]).lookup(directKey, type: .string)?.content, !value.isEmpty {
                return value
            }
        }
        return nil
    }

    /// The strongest source's value for the setting.
    private func content(_ setting: Setting, type: ConfigType, in only: [SettingSources.Source]? = nil) throws -> ConfigContent? {
        do {
            return try (only.map(SettingSources.init) ?? self.sources).lookup(setting.key, type: type)?.content
        } catch let error as SettingSources.SourceError {
            throw self.invalid(setting, from: error)
        }
    }

    /// The error for a value of the wrong type in a source.
    private func invalid(_ setting: Setting, from error: SettingSources.SourceError) -> ValidationError {
        ValidationError("\(setting.names): the value from the \(error.source) is not \(setting.expected)")
    }

    /// The error for a value outside its range.
    private func bad(_ setting: Setting, shown: String) -> ValidationError {
        let value = setting.isSecret ? "" : "'\(shown.prefix(64))' "
        return ValidationError("\(setting.names): \(value)is not \(setting.expected)")
    }
}

extension String {
    /// `session_id` → `sessionId`.
    fileprivate var camelCased: String {
        let words = self.split(separator: "_")
        return (words.first.map(String.init) ?? "") + words.dropFirst().map { $0.capitalized }.joined()
    }
}
