import CodetaskWorker
import InformaticaClient

/// Every setting of the worker, in the order `--help` and docs/configuration.md list them. Defaults of numbers are
/// read from the library's own defaults, so they cannot drift from what the worker does.
enum Settings {
    private typealias Ranges = WorkerConfiguration.SettingRanges
    private static let worker = WorkerConfiguration(
        kafka: .init(bootstrapServers: []), informatica: .init(session: .fixedSession(sessionId: Secret(""), serverURL: "")))
    private static let informatica = worker.informatica

    // Kafka
    static let brokers = Setting(key: "brokers", flag: "brokers", kind: .text, defaultText: "required",
                                 meaning: "Kafka bootstrap servers, comma-separated")
    static let group = Setting(key: "group", flag: "group", kind: .text, defaultText: worker.groupID, meaning: "Consumer group")
    static let inputTopic = Setting(key: "inputTopic", flag: "input-topic", kind: .text, defaultText: worker.topics.input,
                                    meaning: "Input topic (start requests)")
    static let outputTopic = Setting(key: "outputTopic", flag: "output-topic", kind: .text, defaultText: worker.topics.output,
                                     meaning: "Output topic (job events)")
    static let dlqTopic = Setting(key: "dlqTopic", flag: "dlq-topic", kind: .text, defaultText: worker.topics.deadLetter,
                                  meaning: "Dead-letter topic")
    static let journal = Setting(
        key: "journal", flag: "journal", kind: .text, defaultText: "on",
        meaning: "Attempt journal (no job started twice after a crash): on or off")
    static let journalTopic = Setting(
        key: "journalTopic", flag: "journal-topic", kind: .text, defaultText: worker.topics.journal,
        meaning: "Attempt journal topic (created when missing, one partition per input partition)")
    static let createTopics = Setting(key: "createTopics", flag: "create-topics", kind: .boolean, defaultText: "false",
                                      meaning: "Create missing topics instead of refusing to start")
    static let kafkaPropertiesFile = Setting(
        key: "kafkaPropertiesFile", flag: "kafka-properties", kind: .text, defaultText: "none",
        meaning: "A librdkafka properties file, key=value lines: SASL/SSL and tuning")
    static let kafkaProperty = Setting(
        key: "kafkaProperty", flag: "kafka-property", kind: .list, defaultText: "none",
        meaning: "librdkafka properties key=value (not for secrets): a repeated flag, a list in the file, ;-separated in the variable")

    // Informatica
    static let loginMode = Setting(key: "loginMode", flag: "login-mode", kind: .text, defaultText: "v3",
                                   meaning: "Informatica login: identity, v3 or fixed-session")
    static let loginUrl = Setting(key: "loginUrl", flag: "login-url", kind: .text, defaultText: "required for identity and v3",
                                  meaning: "Login base URL, e.g. https://dm-us.informaticacloud.com")
    static let serverUrl = Setting(key: "serverUrl", flag: "server-url", kind: .text, defaultText: "from the v3 login",
                                   meaning: "Server URL for Start calls; required for identity and fixed-session")
    static let username = Setting(key: "username", flag: "username", kind: .text, defaultText: "required for identity and v3",
                                  meaning: "Informatica user name")
    static let passwordFile = Setting(
        key: "passwordFile", flag: "password-file", kind: .text, defaultText: "none",
        meaning: "File holding the password (or the variable CODETASK_PASSWORD; never a flag value)", isSecret: true)
    static let sessionIdFile = Setting(
        key: "sessionIdFile", flag: "session-id-file", kind: .text, defaultText: "none",
        meaning: "File holding a fixed session id, fixed-session mode (or the variable CODETASK_SESSION_ID)", isSecret: true)
    static let caBundle = Setting(key: "caBundle", flag: "ca-bundle", kind: .text, defaultText: "system trust store",
                                  meaning: "Extra CA bundle (PEM) for Informatica TLS")
    static let httpProxy = Setting(
        key: "httpProxy", flag: "http-proxy", kind: .text, defaultText: "none",
        meaning: "HTTP proxy [user:password@]host:port for Informatica calls (never echoed)", isSecret: true)
    static let httpProxyCredentialsFile = Setting(
        key: "httpProxyCredentialsFile", flag: "http-proxy-credentials-file", kind: .text, defaultText: "none",
        meaning: "File holding the proxy's user:password (wins over credentials in --http-proxy)")
    static let maxConnections = Setting(
        key: "maxConnections", flag: "max-connections", kind: .count(1...1_024),
        defaultText: "\(informatica.http.maxConnectionsPerHost)", meaning: "Connections to Informatica per host")

    // Start calls
    static let maxAttempts = Setting(key: "maxAttempts", flag: "max-attempts", kind: .count(1...100),
                                     defaultText: "\(informatica.retry.maxAttempts)", meaning: "Start attempts per request")
    static let requestDeadline = Setting(
        key: "requestDeadline", flag: "request-deadline", kind: .seconds(0.001...86_400),
        defaultText: seconds(informatica.retry.deadline), meaning: "Deadline per request, seconds")
    static let attemptTimeout = Setting(
        key: "attemptTimeout", flag: "attempt-timeout", kind: .seconds(0.001...3_600),
        defaultText: seconds(informatica.retry.attemptTimeout), meaning: "Timeout per attempt, seconds")
    static let inDoubt = Setting(
        key: "inDoubt", flag: "in-doubt", kind: .text, defaultText: informatica.retry.inDoubt.rawValue,
        meaning: "After a Start that was sent but got no answer (or a crash mid-call): retry or fail")
    static let rateLimit = Setting(
        key: "rateLimit", flag: "rate-limit", kind: .number(0...100_000), defaultText: "0 (unlimited)",
        meaning: "Start calls per second (the whole group's, see --rate-limit-scope); 0 = unlimited")
    static let rateLimitScope = Setting(
        key: "rateLimitScope", flag: "rate-limit-scope", kind: .text, defaultText: "group",
        meaning: "Whose budget --rate-limit is: group (each member runs at its share of the input partitions) or member")
    static let breakerFailures = Setting(
        key: "breakerFailures", flag: "breaker-failures", kind: .count(1...10_000),
        defaultText: "\(informatica.circuitBreaker.failureThreshold)", meaning: "Consecutive retriable failures that open the circuit breaker")
    static let breakerOpen = Setting(
        key: "breakerOpen", flag: "breaker-open", kind: .seconds(0.001...86_400),
        defaultText: seconds(informatica.circuitBreaker.openDuration), meaning: "Seconds the open breaker waits before probing")
    static let maxOutageRetries = Setting(
        key: "maxOutageRetries", flag: "max-outage-retries", kind: .count(Ranges.maxOutageRetries),
        defaultText: "\(worker.maxOutageRetries)", meaning: "Times a request failed during an outage is held and retried")

    // The worker
    static let maxInFlight = Setting(key: "maxInFlight", flag: "max-in-flight", kind: .count(Ranges.maxInFlight),
                                     defaultText: "\(worker.maxInFlight)", meaning: "Start calls in progress at once")
    static let maxPending = Setting(
        key: "maxPending", flag: "max-pending", kind: .count(Ranges.maxPendingRecords),
        defaultText: "1000 or 16 × max-in-flight", meaning: "Tracked records (unfinished, or finished above an unfinished one) before consumption pauses (at least max-in-flight)")
    static let commitInterval = Setting(
        key: "commitInterval", flag: "commit-interval", kind: .seconds(range(Ranges.commitInterval)),
        defaultText: seconds(worker.commitInterval), meaning: "Seconds between commits of finished records")
    static let shutdownGrace = Setting(
        key: "shutdownGrace", flag: "shutdown-grace", kind: .seconds(range(Ranges.shutdownGracePeriod)),
        defaultText: seconds(worker.shutdownGracePeriod),
        meaning: "Seconds a graceful stop waits for calls in progress; the stop ends within it plus 5 s")
    static let rebalanceDrain = Setting(
        key: "rebalanceDrain", flag: "rebalance-drain", kind: .seconds(range(Ranges.rebalanceDrainTimeout)),
        defaultText: seconds(worker.rebalanceDrainTimeout), meaning: "Seconds a revocation waits for calls on the revoked partitions")
    static let assignmentReadLimit = Setting(
        key: "assignmentReadLimit", flag: "assignment-read-limit", kind: .seconds(range(Ranges.assignmentReadLimit)),
        defaultText: seconds(worker.assignmentReadLimit),
        meaning: "Seconds the reads of a newly assigned partition (committed position, attempt journal) may keep failing before the worker stops with an error naming it")
    static let logLevel = Setting(key: "logLevel", flag: "log-level", kind: .text, defaultText: "info",
                                  meaning: "Log level: trace, debug, info, notice, warning, error")

    // Operations
    static let logFormat = Setting(key: "logFormat", flag: "log-format", kind: .text, defaultText: "text on a terminal, else json",
                                   meaning: "Log lines: json or text")
    static let httpAddress = Setting(
        key: "httpAddress", flag: "http-address", kind: .text, defaultText: "127.0.0.1:9464",
        meaning: "Where /metrics, /healthz and /readyz listen: host:port (port 0: any free port), or off (no endpoint, no metrics recorded)")
    static let readyMaxRecordAge = Setting(
        key: "readyMaxRecordAge", flag: "ready-max-record-age", kind: .seconds(range(Ranges.readyMaxRecordAge)),
        defaultText: seconds(worker.readyMaxRecordAge), meaning: "Seconds the oldest unfinished record may wait before /readyz fails")
    static let otlpEndpoint = Setting(
        key: "otlpEndpoint", flag: "otlp-endpoint", kind: .text, defaultText: "off (or OTEL_EXPORTER_OTLP_ENDPOINT)",
        meaning: "OTLP/HTTP endpoint for traces, e.g. http://collector:4318/v1/traces")

    /// Every setting, in `--help` order.
    static let all: [Setting] = [
        brokers, group, inputTopic, outputTopic, dlqTopic, journal, journalTopic, createTopics, kafkaPropertiesFile, kafkaProperty,
        loginMode, loginUrl, serverUrl, username, passwordFile, sessionIdFile, caBundle, httpProxy, httpProxyCredentialsFile, maxConnections,
        maxAttempts, requestDeadline, attemptTimeout, inDoubt, rateLimit, rateLimitScope, breakerFailures, breakerOpen, maxOutageRetries,
        maxInFlight, maxPending, commitInterval, shutdownGrace, rebalanceDrain, assignmentReadLimit, logLevel,
        logFormat, httpAddress, readyMaxRecordAge, otlpEndpoint,
    ]

    /// Variables read besides the settings' own: secrets given directly, and the configuration file.
    static let password = "CODETASK_PASSWORD"
    static let sessionId = "CODETASK_SESSION_ID"
    static let configFile = "CODETASK_CONFIG"

    private static func seconds(_ duration: Duration) -> String {
        let value = duration.seconds
        return value == value.rounded() ? "\(Int(value))" : "\(value)"
    }

    private static func range(_ range: ClosedRange<Duration>) -> ClosedRange<Double> {
        range.lowerBound.seconds...range.upperBound.seconds
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
