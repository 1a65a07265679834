import ArgumentParser
import Configuration
import Foundation
import SystemPackage

/// Where settings come from, strongest first: flags, then the environment, then the configuration file
/// (`--config FILE` or `CODETASK_CONFIG`, JSON or YAML by its extension); what none gives keeps its default.
/// Each source is a swift-configuration provider.
struct SettingSources: Sendable {
    /// One source: its name for messages, its provider, and whether its keys carry the `codetask` prefix
    /// (flags and variables do: `codetask.maxInFlight` is `CODETASK_MAX_IN_FLIGHT`; file keys do not).
    struct Source: Sendable {
        let name: String
        let provider: any ConfigProvider
        let prefixed: Bool
    }

    /// The sources in precedence order.
    let sources: [Source]

    /// The environment's source name.
    static let environmentName = "environment"

    /// Separates the values of a repeated flag in the flags' provider (a character no flag value holds).
    static let flagListSeparator: Character = "\u{1F}"

    /// Reads the sources.
    /// - Parameters:
    ///   - flags: The values given as flags, by setting; a repeated flag has several.
    ///   - configFile: The `--config` flag's value, if given (else `CODETASK_CONFIG`).
    ///   - environment: The process environment.
    /// - Throws: `ValidationError` naming `--config / CODETASK_CONFIG` when the file cannot be read or parsed.
    init(flags: [Setting: [String]], configFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws
    {
        let secretVariables = Set(Settings.all.filter(\.isSecret).map(\.variable) + [Settings.password, Settings.sessionId])
        // Flags are read with the environment's rules (numbers, true/false/1/0/yes/no), keyed by their variables.
        var flagValues: [String: String] = [:]
        for (setting, values) in flags where !values.isEmpty {
            flagValues[setting.variable] = values.joined(separator: String(Self.flagListSeparator))
        }
        var sources = [
            Source(
                name: "flag",
                provider: EnvironmentVariablesProvider(
                    environmentVariables: flagValues, secretsSpecifier: .specific(secretVariables), arraySeparator: Self.flagListSeparator),
                prefixed: true),
            Source(
                name: Self.environmentName,
                // An empty variable counts as not set, as compose files and Kubernetes manifests often leave one.
                provider: EnvironmentVariablesProvider(
                    environmentVariables: environment.filter { !$0.value.isEmpty }, secretsSpecifier: .specific(secretVariables),
                    arraySeparator: ";"),
                prefixed: true),
        ]
        let path = configFile ?? environment[Settings.configFile].flatMap { $0.isEmpty ? nil : $0 }
        if let path { sources.append(Source(name: "file \(path)", provider: try await Self.fileProvider(path), prefixed: false)) }
        self.sources = sources
    }

    /// Chosen sources, in the order given.
    init(_ sources: [SettingSources.Source]) {
        self.sources = sources
    }

    /// A JSON (`.json`) or YAML (`.yaml`, `.yml`) file's provider.
    private static func fileProvider(_ path: String) async throws -> any ConfigProvider {
        let named = "--config / \(Settings.configFile)"
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ValidationError("\(named): cannot read the file \(path)")
        }
        do {
            let provider: any ConfigProvider
            let pathExtension = (path as NSString).pathExtension.lowercased()
            switch pathExtension {
            case "json": provider = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            case "yaml", "yml": provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
            default: throw ValidationError("\(named): \(path) must end in .json, .yaml or .yml")
            }
            try ConfigFileKeys.check(try String(contentsOfFile: path, encoding: .utf8), path: path, isJSON: pathExtension == "json")
            return provider
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(named): \(path) is not a valid configuration file: \(error)")
        }
    }

    /// The first source's value for a key, and that source's name; `nil` when no source has it.
    /// - Throws: The provider's error when the strongest source holding the key has a value of the wrong type.
    func lookup(_ key: String, type: ConfigType) throws -> (content: ConfigContent, source: String)? {
        for source in self.sources {
            let absolute = AbsoluteConfigKey(source.prefixed ? ["codetask", key] : [key])
            do {
                if let value = try source.provider.value(forKey: absolute, type: type).value { return (value.content, source.name) }
            } catch {
                throw SourceError(source: source.name)
            }
        }
        return nil
    }

    /// A value of the wrong type in a source; carries no value, as it may be a secret.
    struct SourceError: Error {
        let source: String
    }
}
