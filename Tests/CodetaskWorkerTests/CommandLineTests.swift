import Foundation
import Testing

/// `codetask-worker run` refuses a bad setting before touching Kafka or Informatica: exit status 64, a message
/// naming the flag and its variable, and no secret in what it prints.
@Suite("Command line")
struct CommandLineTests {
    private static let password = "pw-\(UUID().uuidString)"

    /// A complete, valid environment (identity login, password from the environment).
    private static let environment = [
        "CODETASK_BROKERS": "127.0.0.1:1", "CODETASK_LOGIN_MODE": "identity",
        "CODETASK_LOGIN_URL": "http://127.0.0.1:1", "CODETASK_SERVER_URL": "http://127.0.0.1:1",
        "CODETASK_USERNAME": "svc", "CODETASK_PASSWORD": password,
    ]

    struct BadSetting: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let environment: [String: String]
        let named: String
        var testDescription: String { "\(self.arguments) \(self.environment.keys.sorted()) → \(self.named)" }
    }

    static let badSettings: [BadSetting] = [
        BadSetting(arguments: ["--max-in-flight", "0"], environment: [:], named: "--max-in-flight / CODETASK_MAX_IN_FLIGHT"),
        BadSetting(arguments: [], environment: ["CODETASK_BREAKER_OPEN": "-1"], named: "--breaker-open / CODETASK_BREAKER_OPEN"),
        BadSetting(arguments: ["--max-outage-retries", "many"], environment: [:], named: "--max-outage-retries"),
        BadSetting(arguments: ["--rebalance-drain", "0"], environment: [:], named: "--rebalance-drain"),
        BadSetting(
            arguments: ["--http-proxy", "http://svc:\(password)@proxy"], environment: [:],
            named: "--http-proxy / CODETASK_HTTP_PROXY"),
        BadSetting(
            arguments: ["--http-proxy-credentials-file", "/nonexistent/\(password)"], environment: [:],
            named: "--http-proxy-credentials-file / CODETASK_HTTP_PROXY_CREDENTIALS_FILE"),
        BadSetting(arguments: ["--login-mode", "saml"], environment: [:], named: "--login-mode / CODETASK_LOGIN_MODE"),
        BadSetting(arguments: [], environment: ["CODETASK_BROKERS": ""], named: "--brokers / CODETASK_BROKERS"),
        BadSetting(arguments: ["--kafka-property", "acks"], environment: [:], named: "--kafka-property"),
        BadSetting(arguments: ["--max-in-flight", "50", "--max-pending", "10"], environment: [:], named: "maxPendingRecords"),
        // The drain holds up polling: it must end well within max.poll.interval.ms (default 300 s, or as set).
        BadSetting(arguments: ["--rebalance-drain", "400"], environment: [:], named: "rebalanceDrainTimeout"),
        BadSetting(
            arguments: ["--rebalance-drain", "8", "--kafka-property", "max.poll.interval.ms=10000"], environment: [:],
            named: "rebalanceDrainTimeout"),
        BadSetting(arguments: ["--output-topic", "bad topic"], environment: [:], named: "topics.output"),
        BadSetting(arguments: [], environment: ["CODETASK_JOURNAL": "maybe"], named: "--journal / CODETASK_JOURNAL"),
        BadSetting(
            arguments: ["--rate-limit", "30"], environment: ["CODETASK_RATE_LIMIT_SCOPE": "cluster"],
            named: "--rate-limit-scope / CODETASK_RATE_LIMIT_SCOPE"),
        BadSetting(arguments: ["--journal-topic", "bad journal"], environment: [:], named: "topics.journal"),
        BadSetting(arguments: ["--journal-topic", "codetask.job.events"], environment: [:], named: "topics.journal"),
        // Huge values and huge exponents: refused by range before any conversion (1e300 s once crashed with SIGILL).
        BadSetting(arguments: ["--attempt-timeout", "1e300"], environment: [:], named: "--attempt-timeout / CODETASK_ATTEMPT_TIMEOUT"),
        BadSetting(arguments: ["--request-deadline", "1e999999"], environment: [:], named: "--request-deadline"),
        BadSetting(arguments: [], environment: ["CODETASK_COMMIT_INTERVAL": "9.3e18"], named: "--commit-interval / CODETASK_COMMIT_INTERVAL"),
        BadSetting(arguments: ["--shutdown-grace", "1e-400"], environment: [:], named: "--shutdown-grace"),
        BadSetting(arguments: ["--breaker-open", "nan"], environment: [:], named: "--breaker-open"),
        BadSetting(arguments: ["--rebalance-drain", "inf"], environment: [:], named: "--rebalance-drain"),
        BadSetting(arguments: ["--max-attempts", "101"], environment: [:], named: "--max-attempts"),
        BadSetting(arguments: ["--max-in-flight", "99999999999999999999999"], environment: [:], named: "--max-in-flight"),
        BadSetting(arguments: ["--max-pending", "1000001"], environment: [:], named: "--max-pending"),
        BadSetting(arguments: ["--breaker-failures", "10001"], environment: [:], named: "--breaker-failures"),
        BadSetting(arguments: ["--max-connections", "1025"], environment: [:], named: "--max-connections"),
        BadSetting(arguments: ["--max-outage-retries", "-1"], environment: [:], named: "--max-outage-retries"),
        BadSetting(arguments: ["--rate-limit", "1e300"], environment: [:], named: "--rate-limit / CODETASK_RATE_LIMIT"),
    ] + refusedProperties.map { property in
        BadSetting(arguments: ["--kafka-property", property], environment: [:], named: String(property.prefix { $0 != "=" }))
    }

    /// Kafka properties that would break the worker's guarantees; each must be named at start-up.
    static let refusedProperties = [
        "enable.auto.commit=true", "enable.auto.offset.store=true", "enable.idempotence=false", "acks=1", "acks=0",
        "request.required.acks=1", "delivery.report.only.error=true", "partition.assignment.strategy=range",
        "group.protocol=consumer", "transactional.id=tx", "message.max.bytes=10", "group.id=elsewhere", "message.timeout.ms=0",
    ]

    @Test("a bad setting stops start-up at once with exit status 64, naming it, printing no secret", arguments: badSettings)
    func badSettingIsNamed(_ bad: BadSetting) throws {
        let environment = Self.environment.merging(bad.environment) { $1 }
        let (status, output) = try Self.run(["run"] + bad.arguments, environment: environment)
        #expect(status == 64, "\(output)")
        #expect(output.contains(bad.named), "\(output)")
        #expect(!output.contains(Self.password), "the password was printed")
    }

    @Test("flags and variables reach the configuration; a flag wins; secrets show redacted")
    func settingsAreApplied() throws {
        var environment = Self.environment
        environment["CODETASK_BREAKER_OPEN"] = "7.5"
        environment["CODETASK_MAX_IN_FLIGHT"] = "9"
        environment["CODETASK_MAX_OUTAGE_RETRIES"] = "0"
        let (status, output) = try Self.run(
            ["run", "--print-configuration", "--max-in-flight", "12", "--max-pending", "40", "--http-proxy", "svc:\(Self.password)@proxy.internal:3128",
             "--kafka-property", "sasl.password=\(Self.password)", "--rebalance-drain", "4"],
            environment: environment)
        #expect(status == 0, "\(output)")
        for expected in ["openDuration: 7.5 seconds", "maxInFlight: 12,", "maxPendingRecords: 40,", "maxOutageRetries: 0,",
                         "host: \"proxy.internal\", port: 3128, credentials: <redacted>", "sasl.password=<redacted>", "rebalanceDrainTimeout: 4.0 seconds"] {
            #expect(output.contains(expected), "\(expected) is missing from \(output)")
        }
        #expect(!output.contains(Self.password), "a secret was printed")
    }

    @Test("a refused Kafka property in the properties file is named too")
    func refusedPropertyInFile() throws {
        let path = NSTemporaryDirectory() + "/\(UUID().uuidString)-kafka.properties"
        try "# tuning\nlinger.ms=10\nenable.auto.offset.store=true\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try Self.run(["run", "--kafka-properties", path], environment: Self.environment)
        #expect(status == 64, "\(output)")
        #expect(output.contains("enable.auto.offset.store"), "\(output)")
    }

    @Test("values at the ends of each range are accepted")
    func rangeEnds() throws {
        let (status, output) = try Self.run(
            ["run", "--print-configuration", "--attempt-timeout", "3600", "--request-deadline", "0.001", "--max-attempts", "100",
             "--max-outage-retries", "0", "--rate-limit", "100000", "--max-in-flight", "10000", "--max-pending", "1000000"],
            environment: Self.environment)
        #expect(status == 0, "\(output)")
    }

    @Test("--help lists every setting with its variable")
    func helpListsVariables() throws {
        let (status, output) = try Self.run(["run", "--help"], environment: [:])
        #expect(status == 0)
        for variable in ["CODETASK_BROKERS", "CODETASK_MAX_OUTAGE_RETRIES", "CODETASK_BREAKER_FAILURES", "CODETASK_HTTP_PROXY",
                         "CODETASK_MAX_CONNECTIONS", "CODETASK_REBALANCE_DRAIN", "CODETASK_PASSWORD"] {
            #expect(output.contains(variable), "\(variable) is missing from --help")
        }
    }

    private static func run(_ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        try CommandRunner.run(arguments, environment: environment)
    }
}
