import ArgumentParser
import CodetaskWorker
import InformaticaClient
import Kafka

/// The `run` command's settings. Every flag has an environment variable (shown in `--help`); a flag wins.
/// Secrets come from files or the environment only, so they never appear in a process listing.
struct RunOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, comma-separated (CODETASK_BROKERS).") var brokers: String?
    @Option(help: "Consumer group (CODETASK_GROUP; default codetask-start-worker).") var group: String?
    @Option(help: "Input topic (CODETASK_INPUT_TOPIC; default codetask.start.requests).") var inputTopic: String?
    @Option(help: "Output topic (CODETASK_OUTPUT_TOPIC; default codetask.job.events).") var outputTopic: String?
    @Option(help: "Dead-letter topic (CODETASK_DLQ_TOPIC; default codetask.start.dlq).") var dlqTopic: String?
    @Flag(help: "Create missing topics instead of refusing to start (CODETASK_CREATE_TOPICS=true).") var createTopics = false
    @Option(help: "A librdkafka properties file, key=value lines: SASL/SSL and tuning (CODETASK_KAFKA_PROPERTIES_FILE).")
    var kafkaProperties: String?
    @Option(parsing: .singleValue, help: "One librdkafka property key=value (not for secrets); repeatable.")
    var kafkaProperty: [String] = []

    @Option(help: "Informatica login: identity, v3 or fixed-session (CODETASK_LOGIN_MODE; default v3).") var loginMode: String?
    @Option(help: "Login base URL, e.g. https://dm-us.informaticacloud.com (CODETASK_LOGIN_URL).") var loginUrl: String?
    @Option(help: "Server URL for Start calls; required for identity and fixed-session (CODETASK_SERVER_URL).") var serverUrl: String?
    @Option(help: "Informatica user name (CODETASK_USERNAME).") var username: String?
    @Option(help: "File holding the password (or CODETASK_PASSWORD / CODETASK_PASSWORD_FILE).") var passwordFile: String?
    @Option(help: "File holding a fixed session id (or CODETASK_SESSION_ID / CODETASK_SESSION_ID_FILE).") var sessionIdFile: String?
    @Option(help: "Extra CA bundle (PEM) for Informatica TLS (CODETASK_CA_BUNDLE).") var caBundle: String?

    @Option(help: "Start attempts per request (CODETASK_MAX_ATTEMPTS; default 5).") var maxAttempts: String?
    @Option(help: "Deadline per request in seconds (CODETASK_REQUEST_DEADLINE; default 60).") var requestDeadline: String?
    @Option(help: "Timeout per attempt in seconds (CODETASK_ATTEMPT_TIMEOUT; default 10).") var attemptTimeout: String?
    @Option(help: "After a Start that was sent but got no answer: retry or fail (CODETASK_IN_DOUBT; default retry).")
    var inDoubt: String?
    @Option(help: "Start calls per second per process; 0 = unlimited (CODETASK_RATE_LIMIT; default 0).") var rateLimit: String?
    @Option(help: "Start calls in progress at once (CODETASK_MAX_IN_FLIGHT; default 32).") var maxInFlight: String?
    @Option(help: "Unfinished records before consumption pauses (CODETASK_MAX_PENDING; default 1000).") var maxPending: String?
    @Option(help: "Seconds a graceful shutdown waits for calls in progress (CODETASK_SHUTDOWN_GRACE; default 20; the stop ends within it plus 5 s).")
    var shutdownGrace: String?
    @Option(help: "Seconds between commits of finished records (CODETASK_COMMIT_INTERVAL; default 1).") var commitInterval: String?
    @Option(help: "Seconds a revocation waits for calls on the revoked partitions (CODETASK_REBALANCE_DRAIN; default 20).")
    var rebalanceDrain: String?
    @Option(help: "Consecutive retriable failures that open the circuit breaker (CODETASK_BREAKER_FAILURES; default 5).")
    var breakerFailures: String?
    @Option(help: "Seconds the open breaker waits before probing (CODETASK_BREAKER_OPEN; default 30).") var breakerOpen: String?
    @Option(help: "Times a request failed during an outage is held and retried (CODETASK_MAX_OUTAGE_RETRIES; default 5).")
    var maxOutageRetries: String?
    @Option(help: "Connections to Informatica per host (CODETASK_MAX_CONNECTIONS; default 16).") var maxConnections: String?
    @Option(help: "HTTP proxy [user:password@]host:port for Informatica calls (CODETASK_HTTP_PROXY).") var httpProxy: String?
    @Option(help: "File holding the proxy's user:password (or CODETASK_HTTP_PROXY_CREDENTIALS_FILE).")
    var httpProxyCredentialsFile: String?
    @Flag(help: "Print the resolved configuration (secrets redacted) and exit without connecting.")
    var printConfiguration = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error (CODETASK_LOG_LEVEL; default info).") var logLevel: String?

    /// The worker configuration these settings describe.
    /// - Throws: `ValidationError` naming the flag and variable of the first missing or bad setting.
    func configuration(_ source: SettingSource = SettingSource()) throws -> WorkerConfiguration {
        guard let brokers = source.string(self.brokers, env: "CODETASK_BROKERS") else {
            throw ValidationError("--brokers / CODETASK_BROKERS: the Kafka bootstrap servers are required")
        }
        var properties = try source.properties(
            file: source.string(self.kafkaProperties, env: "CODETASK_KAFKA_PROPERTIES_FILE"), name: "kafka-properties")
        for property in self.kafkaProperty {
            guard let (key, value) = SettingSource.keyValue(property) else {
                throw ValidationError("--kafka-property: '\(property)' is not key=value")
            }
            properties[key] = value
        }
        let kafka = KafkaClientConfiguration(
            bootstrapServers: brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            clientID: "codetask-worker", properties: properties)
        var configuration = WorkerConfiguration(kafka: kafka, informatica: InformaticaConfiguration(session: try self.session(source)))
        configuration.groupID = source.string(self.group, env: "CODETASK_GROUP") ?? configuration.groupID
        configuration.topics.input = source.string(self.inputTopic, env: "CODETASK_INPUT_TOPIC") ?? configuration.topics.input
        configuration.topics.output = source.string(self.outputTopic, env: "CODETASK_OUTPUT_TOPIC") ?? configuration.topics.output
        configuration.topics.deadLetter = source.string(self.dlqTopic, env: "CODETASK_DLQ_TOPIC") ?? configuration.topics.deadLetter
        configuration.createMissingTopics = self.createTopics || source.environment["CODETASK_CREATE_TOPICS"] == "true"
        configuration.informatica.http.caBundlePath = source.string(self.caBundle, env: "CODETASK_CA_BUNDLE")
        try self.applyNumbers(source, to: &configuration)
        if let inDoubt = source.string(self.inDoubt, env: "CODETASK_IN_DOUBT") {
            guard let policy = RetryPolicy.InDoubtPolicy(rawValue: inDoubt) else {
                throw ValidationError("--in-doubt / CODETASK_IN_DOUBT: '\(inDoubt)' is not retry or fail")
            }
            configuration.informatica.retry.inDoubt = policy
        }
        try self.applyProxy(source, to: &configuration)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        return configuration
    }

    private func session(_ source: SettingSource) throws -> SessionMode {
        let mode = source.string(self.loginMode, env: "CODETASK_LOGIN_MODE") ?? "v3"
        let loginURL = source.string(self.loginUrl, env: "CODETASK_LOGIN_URL")
        let serverURL = source.string(self.serverUrl, env: "CODETASK_SERVER_URL")
        switch mode {
        case "fixed-session":
            guard let sessionId = try source.secret(file: self.sessionIdFile, env: "CODETASK_SESSION_ID", name: "session-id-file") else {
                throw ValidationError("--session-id-file / CODETASK_SESSION_ID: fixed-session mode needs a session id")
            }
            guard let serverURL else { throw ValidationError("--server-url / CODETASK_SERVER_URL: fixed-session mode needs it") }
            return .fixedSession(sessionId: Secret(sessionId), serverURL: serverURL)
        case "identity", "v3":
            guard let loginURL else { throw ValidationError("--login-url / CODETASK_LOGIN_URL: \(mode) login needs it") }
            guard let username = source.string(self.username, env: "CODETASK_USERNAME") else {
                throw ValidationError("--username / CODETASK_USERNAME: \(mode) login needs it")
            }
            guard let password = try source.secret(file: self.passwordFile, env: "CODETASK_PASSWORD", name: "password-file") else {
                throw ValidationError("--password-file / CODETASK_PASSWORD: \(mode) login needs a password")
            }
            let credentials = Credentials(username: username, password: Secret(password))
            if mode == "v3" { return .v3(loginURL: loginURL, credentials: credentials, serverURLOverride: serverURL) }
            guard let serverURL else { throw ValidationError("--server-url / CODETASK_SERVER_URL: identity login needs it") }
            return .identityService(loginURL: loginURL, serverURL: serverURL, credentials: credentials)
        default:
            throw ValidationError("--login-mode / CODETASK_LOGIN_MODE: '\(mode)' is not identity, v3 or fixed-session")
        }
    }
}
