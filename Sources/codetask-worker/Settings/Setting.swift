/// One setting of the worker: its file key, its flag, its environment variable, its kind, its default and what it
/// means. ``Settings/all`` lists every one; `--help`, the table of docs/configuration.md and the configuration
/// reader all come from that list.
struct Setting: Sendable, Hashable {
    /// What kind of value a setting takes; decides how each source's value is read and checked.
    enum Kind: Sendable, Hashable {
        /// Text.
        case text
        /// true/false, also 1/0 and yes/no.
        case boolean
        /// A whole number in a range.
        case count(ClosedRange<Int>)
        /// A number of seconds (fractions allowed) in a range.
        case seconds(ClosedRange<Double>)
        /// A number in a range.
        case number(ClosedRange<Double>)
        /// Several texts: a repeated flag, a JSON or YAML list, or `;`-separated in the variable.
        case list
    }

    /// The key in a configuration file, camelCase (`maxInFlight`); the variable is derived from it.
    let key: String
    /// The long flag without its dashes (`max-in-flight`).
    let flag: String
    /// The kind of value.
    let kind: Kind
    /// The default as shown to people (`32`, `required`, `unlimited`).
    let defaultText: String
    /// What the setting means, one sentence.
    let meaning: String
    /// Whether the value must never be printed (it may carry a credential).
    var isSecret = false

    /// The environment variable: `CODETASK_` and the key's words in capitals joined by `_`, the same rule
    /// swift-configuration's `EnvironmentVariablesProvider` applies to the key `codetask.<key>`.
    var variable: String {
        var name = "CODETASK"
        var word = ""
        for character in self.key {
            if character.isUppercase, !word.isEmpty {
                name += "_" + word.uppercased()
                word = ""
            }
            word.append(character)
        }
        return name + "_" + word.uppercased()
    }

    /// `--flag / VARIABLE / key`, how every message names the setting.
    var names: String { "--\(self.flag) / \(self.variable) / \(self.key)" }

    /// The `--help` text: meaning, variable, file key and default.
    var help: String { "\(self.meaning) (\(self.variable); file key \(self.key); default \(self.defaultText))" }

    /// What a valid value is, for messages.
    var expected: String {
        switch self.kind {
        case .text: return "text"
        case .boolean: return "true, false, 1, 0, yes or no"
        case .count(let range): return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .seconds(let range): return "a number of seconds from \(range.lowerBound) to \(range.upperBound)"
        case .number(let range): return "a number from \(range.lowerBound) to \(range.upperBound)"
        case .list: return "a list of texts"
        }
    }
}
