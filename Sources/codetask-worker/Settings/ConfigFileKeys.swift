import ArgumentParser
import Foundation

/// Refuses a configuration file key that names no setting, so a misspelt key (`maxInFligth`) stops start-up
/// instead of being ignored. swift-configuration reads values by key and cannot list a file's keys, so the file's
/// top-level keys are read here: the configuration file is flat (one key per setting).
enum ConfigFileKeys {
    /// The keys a configuration file may hold.
    static let known = Set(Settings.all.map(\.key))

    /// Checks the top-level keys of a JSON or YAML configuration file.
    /// - Throws: `ValidationError` naming `--config`, the file and the unknown keys.
    static func check(_ text: String, path: String, isJSON: Bool) throws {
        let keys = isJSON ? Self.jsonKeys(text) : Self.yamlKeys(text)
        let unknown = keys.filter { !Self.known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw ValidationError(
                "--config / \(Settings.configFile): \(path) has keys that name no setting: \(unknown.joined(separator: ", ")) "
                    + "(the file keys are listed by --help)")
        }
    }

    /// The keys of the top-level JSON object (none when the text is not one; the provider reports that).
    private static func jsonKeys(_ text: String) -> [String] {
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object.map { Array($0.keys) } ?? []
    }

    /// The keys of a block mapping's top level: lines that start in the first column with `key:`.
    private static func yamlKeys(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first != " ", first != "\t", first != "#", first != "-", first != "." else { return nil }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            return key.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
    }
}
