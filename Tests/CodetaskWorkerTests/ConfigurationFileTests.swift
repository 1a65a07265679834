import Foundation
import Testing

/// Settings from a configuration file (JSON or YAML), the environment and flags: precedence flag > variable >
/// file > default, bad values named with their source, booleans in every spelling, secrets never printed, and
/// the table of settings in docs/configuration.md checked against `--help`.
@Suite("Configuration file")
struct ConfigurationFileTests {
    private static let password = "pw-\(UUID().uuidString)"

    /// The same settings as a JSON and as a YAML file: a login, and four numbers each set by one more source.
    private static func file(_ format: String, passwordFile: String) -> String {
        switch format {
        case "json":
            return """
                {"brokers": "file-broker:9092", "loginMode": "identity", "loginUrl": "http://127.0.0.1:1",
                 "serverUrl": "http://127.0.0.1:1", "username": "svc", "passwordFile": "\(passwordFile)",
                 "maxInFlight": 7, "maxPending": 70, "breakerFailures": 9, "commitInterval": 2.5,
                 "createTopics": true, "kafkaProperty": ["linger.ms=9"]}
                """
        default:
            return """
                brokers: file-broker:9092
                loginMode: identity
                loginUrl: http://127.0.0.1:1
                serverUrl: http://127.0.0.1:1
                username: svc
                passwordFile: \(passwordFile)
                maxInFlight: 7
                maxPending: 70
                breakerFailures: 9
                commitInterval: 2.5
                createTopics: true
                kafkaProperty:
                  - linger.ms=9
                """
        }
    }

    @Test("precedence: flag over variable over file over default", arguments: ["json", "yaml"])
    func precedence(format: String) throws {
        let passwordFile = try CommandRunner.temporaryFile(Self.password + "\n", extension: "txt")
        let config = try CommandRunner.temporaryFile(Self.file(format, passwordFile: passwordFile), extension: format)
        defer { for path in [passwordFile, config] { try? FileManager.default.removeItem(atPath: path) } }
        let (status, output) = try CommandRunner.run(
            ["run", "--print-configuration", "--config", config, "--breaker-failures", "6"],
            environment: ["CODETASK_MAX_PENDING": "60", "CODETASK_BREAKER_FAILURES": "8", "CODETASK_MAX_IN_FLIGHT": ""])
        #expect(status == 0, "\(output)")
        for expected in [
            "maxInFlight: 7,",  // file (an empty variable counts as not set)
            "maxPendingRecords: 60,",  // variable over file
            "failureThreshold: 6,",  // flag over variable and file
            "maxAttempts: 5,",  // default
            "commitInterval: 2.5 seconds", "createMissingTopics: true", "linger.ms=9", "bootstrapServers: [\"file-broker:9092\"]",
            "password=<redacted>",
        ] {
            #expect(output.contains(expected), "\(expected) is missing from \(output)")
        }
        #expect(!output.contains(Self.password), "the password was printed")
    }

    @Test("CODETASK_CONFIG names the file; the password variable beats the file's password file")
    func configFromVariable() throws {
        let passwordFile = try CommandRunner.temporaryFile("from-file-\(Self.password)", extension: "txt")
        let config = try CommandRunner.temporaryFile(Self.file("yaml", passwordFile: passwordFile), extension: "yml")
        defer { for path in [passwordFile, config] { try? FileManager.default.removeItem(atPath: path) } }
        let (status, output) = try CommandRunner.run(
            ["run", "--print-configuration"], environment: ["CODETASK_CONFIG": config, "CODETASK_PASSWORD": Self.password])
        #expect(status == 0, "\(output)")
        #expect(output.contains("maxInFlight: 7,"), "\(output)")
        #expect(!output.contains(Self.password), "a secret was printed")
    }

    struct BadValue: Sendable, CustomTestStringConvertible {
        let file: String
        let environment: [String: String]
        let named: String
        var testDescription: String { "\(self.file) \(self.environment) → \(self.named)" }
    }

    static let badValues = [
        BadValue(file: "maxInFlight: many", environment: [:], named: "--max-in-flight / CODETASK_MAX_IN_FLIGHT / maxInFlight: the value from the file"),
        BadValue(file: "maxInFlight: 0", environment: [:], named: "--max-in-flight / CODETASK_MAX_IN_FLIGHT / maxInFlight"),
        BadValue(file: "attemptTimeout: 1e300", environment: [:], named: "--attempt-timeout / CODETASK_ATTEMPT_TIMEOUT / attemptTimeout"),
        BadValue(file: "createTopics: perhaps", environment: [:], named: "--create-topics / CODETASK_CREATE_TOPICS / createTopics"),
        BadValue(file: "", environment: ["CODETASK_CREATE_TOPICS": "on"], named: "CODETASK_CREATE_TOPICS / createTopics: the value from the environment"),
        BadValue(file: "inDoubt: maybe", environment: [:], named: "--in-doubt / CODETASK_IN_DOUBT / inDoubt"),
        BadValue(file: "kafkaProperty: [acks]", environment: [:], named: "--kafka-property / CODETASK_KAFKA_PROPERTY / kafkaProperty"),
        BadValue(file: "", environment: ["CODETASK_KAFKA_PROPERTY": "linger.ms=5;acks=1"], named: "acks"),
        BadValue(file: "maxInFligth: 7", environment: [:], named: "has keys that name no setting: maxInFligth"),
    ]

    @Test("a bad value stops start-up with exit status 64, naming the setting and its source", arguments: badValues)
    func badValueIsNamed(_ bad: BadValue) throws {
        let config = try CommandRunner.temporaryFile(
            "brokers: b:1\nloginMode: identity\nloginUrl: http://h\nserverUrl: http://h\nusername: u\n\(bad.file)\n", extension: "yaml")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let environment = bad.environment.merging(["CODETASK_PASSWORD": Self.password]) { $1 }
        let (status, output) = try CommandRunner.run(["run", "--print-configuration", "--config", config], environment: environment)
        #expect(status == 64, "\(output)")
        #expect(output.contains(bad.named), "\(output)")
        #expect(!output.contains(Self.password), "the password was printed")
    }

    @Test("booleans: true/false, 1/0, yes/no in the variable and the file", arguments: [
        ("true", true), ("false", false), ("1", true), ("0", false), ("yes", true), ("no", false), ("YES", true),
    ])
    func booleans(text: String, value: Bool) throws {
        let login = ["CODETASK_BROKERS": "b:1", "CODETASK_LOGIN_URL": "http://h", "CODETASK_USERNAME": "u", "CODETASK_PASSWORD": Self.password]
        let (status, output) = try CommandRunner.run(["run", "--print-configuration"], environment: login.merging(["CODETASK_CREATE_TOPICS": text]) { $1 })
        #expect(status == 0, "\(output)")
        #expect(output.contains("createMissingTopics: \(value)"), "\(output)")
        let config = try CommandRunner.temporaryFile("createTopics: \(text)\n", extension: "yaml")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let fromFile = try CommandRunner.run(["run", "--print-configuration", "--config", config], environment: login)
        #expect(fromFile.status == 0, "\(fromFile.output)")
        #expect(fromFile.output.contains("createMissingTopics: \(value)"), "\(fromFile.output)")
        let flag = value ? "--create-topics" : "--no-create-topics"
        let fromFlag = try CommandRunner.run(["run", "--print-configuration", flag], environment: login.merging(["CODETASK_CREATE_TOPICS": value ? "no" : "yes"]) { $1 })
        #expect(fromFlag.output.contains("createMissingTopics: \(value)"), "\(fromFlag.output)")
    }

    @Test("an unreadable or malformed configuration file, or a key that names no setting, is named")
    func badFile() throws {
        let missing = try CommandRunner.run(["run", "--config", "/nonexistent/codetask.yaml"], environment: [:])
        #expect(missing.status == 64 && missing.output.contains("--config / CODETASK_CONFIG"), "\(missing.output)")
        let malformed = try CommandRunner.temporaryFile("{\"brokers\": ", extension: "json")
        defer { try? FileManager.default.removeItem(atPath: malformed) }
        let result = try CommandRunner.run(["run", "--config", malformed], environment: [:])
        #expect(result.status == 64 && result.output.contains("--config / CODETASK_CONFIG"), "\(result.output)")
        let misspelt = try CommandRunner.temporaryFile(#"{"brokers": "b:1", "maxInflight": 3}"#, extension: "json")
        defer { try? FileManager.default.removeItem(atPath: misspelt) }
        let unknown = try CommandRunner.run(["run", "--config", misspelt], environment: [:])
        #expect(unknown.status == 64 && unknown.output.contains("name no setting: maxInflight"), "\(unknown.output)")
    }

    @Test("the settings table of docs/configuration.md matches --help: every flag, variable, file key and default")
    func settingsTableMatchesHelp() throws {
        let (status, help) = try CommandRunner.run(["run", "--help"], environment: [:])
        #expect(status == 0)
        let flatHelp = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let document = try String(contentsOfFile: Self.packageRoot + "/docs/configuration.md", encoding: .utf8)
        let rows = document.split(separator: "\n").filter { $0.hasPrefix("| `--") }.map { line in
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
        }
        #expect(rows.count >= 30, "docs/configuration.md's settings table is missing")
        var documented: Set<String> = []
        for row in rows where row.count >= 4 {
            let (flag, variable, key, defaultText) = (row[0], row[1], row[2], row[3])
            documented.insert(flag.components(separatedBy: "/").first ?? flag)
            if key == "-" { continue }  // --config itself
            #expect(flatHelp.contains(flag), "\(flag) is not in --help")
            #expect(flatHelp.contains("(\(variable); file key \(key); default \(defaultText))"),
                    "docs/configuration.md row \(row) does not match --help")
        }
        let helpFlags = Set(help.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("--") }.map { token in
            String(token.prefix { $0.isLowercase || $0 == "-" })
        })
        for flag in helpFlags where !["--help", "--print-configuration"].contains(flag) {
            #expect(documented.contains(flag), "\(flag) is in --help but not in docs/configuration.md's table")
        }
    }

    private static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
