import ArgumentParser
import CodetaskWorker
import Foundation
import InformaticaClient
import Kafka
import Logging

/// The configurations the commands need, built from the settings; each stops at the first bad or missing setting
/// with a `ValidationError` naming it.
extension SettingReader {
    /// The whole worker configuration, validated.
    func workerConfiguration() throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration(kafka: try self.kafkaConfiguration(), informatica: try self.informaticaConfiguration())
        configuration.groupID = try self.text(Settings.group) ?? configuration.groupID
        configuration.topics = try self.topics()
        configuration.attemptJournal = try self.journalEnabled()
        configuration.createMissingTopics = try self.bool(Settings.createTopics, default: configuration.createMissingTopics)
        configuration.maxOutageRetries = try self.count(Settings.maxOutageRetries, default: configuration.maxOutageRetries)
        configuration.maxInFlight = try self.count(Settings.maxInFlight, default: configuration.maxInFlight)
        configuration.maxPendingRecords = try self.count(Settings.maxPending, default: configuration.maxPendingRecords)
        configuration.commitInterval = try self.duration(Settings.commitInterval, default: configuration.commitInterval)
        configuration.shutdownGracePeriod = try self.duration(Settings.shutdownGrace, default: configuration.shutdownGracePeriod)
        configuration.rebalanceDrainTimeout = try self.duration(Settings.rebalanceDrain, default: configuration.rebalanceDrainTimeout)
        configuration.readyMaxRecordAge = try self.duration(Settings.readyMaxRecordAge, default: configuration.readyMaxRecordAge)
        configuration.assignmentReadLimit = try self.duration(Settings.assignmentReadLimit, default: configuration.assignmentReadLimit)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        return configuration
    }

    /// The three topics.
    func topics() throws -> WorkerTopics {
        var topics = WorkerTopics()
        topics.input = try self.text(Settings.inputTopic) ?? topics.input
        topics.output = try self.text(Settings.outputTopic) ?? topics.output
        topics.deadLetter = try self.text(Settings.dlqTopic) ?? topics.deadLetter
        topics.journal = try self.text(Settings.journalTopic) ?? topics.journal
        return topics
    }

    /// Whether the attempt journal is on (`on` or `off`).
    func journalEnabled() throws -> Bool {
        switch try self.text(Settings.journal) {
        case nil, "on": return true
        case "off": return false
        case let other?: throw ValidationError("\(Settings.journal.names): '\(other.prefix(64))' is not on or off")
        }
    }

    /// The Kafka client settings: brokers, the properties file, then single properties (which win).
    func kafkaConfiguration() throws -> KafkaClientConfiguration {
        guard let brokers = try self.text(Settings.brokers) else {
            throw ValidationError("\(Settings.brokers.names): the Kafka bootstrap servers are required")
        }
        var properties = try KafkaPropertiesFile.read(try self.text(Settings.kafkaPropertiesFile), setting: Settings.kafkaPropertiesFile)
        for property in try self.list(Settings.kafkaProperty) {
            guard let (key, value) = KafkaPropertiesFile.keyValue(property) else {
                throw ValidationError("\(Settings.kafkaProperty.names): '\(property.prefix(64))' is not key=value")
            }
            properties[key] = value
        }
        return KafkaClientConfiguration(
            bootstrapServers: brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            clientID: "codetask-worker", properties: properties)
    }

    /// The Informatica client settings: session, retry policy, rate limit, breaker and HTTP.
    func informaticaConfiguration() throws -> InformaticaConfiguration {
        var informatica = InformaticaConfiguration(session: try self.session())
        informatica.retry.maxAttempts = try self.count(Settings.maxAttempts, default: informatica.retry.maxAttempts)
        informatica.retry.deadline = try self.duration(Settings.requestDeadline, default: informatica.retry.deadline)
        informatica.retry.attemptTimeout = try self.duration(Settings.attemptTimeout, default: informatica.retry.attemptTimeout)
        if let inDoubt = try self.text(Settings.inDoubt) {
            guard let policy = RetryPolicy.InDoubtPolicy(rawValue: inDoubt) else {
                throw ValidationError("\(Settings.inDoubt.names): '\(inDoubt.prefix(64))' is not retry or fail")
            }
            informatica.retry.inDoubt = policy
        }
        let rate = try self.number(Settings.rateLimit, default: 0)
        var scope = RateLimitSettings.Scope.group
        if let text = try self.text(Settings.rateLimitScope) {
            guard let chosen = RateLimitSettings.Scope(rawValue: text) else {
                throw ValidationError("\(Settings.rateLimitScope.names): '\(text.prefix(64))' is not group or member")
            }
            scope = chosen
        }
        // Burst: a second's worth per process; a quarter second's for the group (each member a share of it), so
        // that the members' full buckets after a quiet spell cannot push the group far past its budget.
        let burst = scope == .group ? max(1, Int(rate / 4)) : max(1, Int(rate))
        informatica.rateLimit = rate > 0 ? RateLimitSettings(startsPerSecond: rate, burst: burst, scope: scope) : nil
        informatica.circuitBreaker.failureThreshold = try self.count(
            Settings.breakerFailures, default: informatica.circuitBreaker.failureThreshold)
        informatica.circuitBreaker.openDuration = try self.duration(Settings.breakerOpen, default: informatica.circuitBreaker.openDuration)
        informatica.http.maxConnectionsPerHost = try self.count(Settings.maxConnections, default: informatica.http.maxConnectionsPerHost)
        informatica.http.caBundlePath = try self.text(Settings.caBundle)
        informatica.http.proxy = try self.proxy()
        do {
            try informatica.validate()
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        return informatica
    }

    /// The HTTP proxy for Informatica calls, with its credentials from the value (`user:password@host:port`) or
    /// from a file (`user:password`; the file wins). Neither value is echoed: they may carry a password.
    func proxy() throws -> HTTPSettings.Proxy? {
        let credentialsFile = try self.text(Settings.httpProxyCredentialsFile)
        guard let text = try self.text(Settings.httpProxy) else {
            if credentialsFile != nil { throw ValidationError("\(Settings.httpProxyCredentialsFile.names): needs \(Settings.httpProxy.names)") }
            return nil
        }
        guard var proxy = HTTPSettings.Proxy(parsing: text) else {
            throw ValidationError("\(Settings.httpProxy.names): give [user:password@]host:port (the value is not shown)")
        }
        if let credentialsFile {
            do {
                proxy.credentials = try HTTPSettings.ProxyCredentials(file: credentialsFile)
            } catch {
                throw ValidationError("\(Settings.httpProxyCredentialsFile.names): \(error.message)")
            }
        }
        return proxy
    }

    /// The log level.
    func logLevel() throws -> Logger.Level {
        guard let text = try self.text(Settings.logLevel) else { return .info }
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("\(Settings.logLevel.names): '\(text.prefix(64))' is not a level")
        }
        return level
    }

    /// The login: identity service, v3 or a fixed session, with its secret.
    private func session() throws -> SessionMode {
        let mode = try self.text(Settings.loginMode) ?? "v3"
        let loginURL = try self.text(Settings.loginUrl)
        let serverURL = try self.text(Settings.serverUrl)
        switch mode {
        case "fixed-session":
            guard let sessionId = try self.secret(Settings.sessionIdFile, direct: Settings.sessionId) else {
                throw ValidationError("\(Settings.sessionIdFile.names) or \(Settings.sessionId): fixed-session mode needs a session id")
            }
            guard let serverURL else { throw ValidationError("\(Settings.serverUrl.names): fixed-session mode needs it") }
            return .fixedSession(sessionId: Secret(sessionId), serverURL: serverURL)
        case "identity", "v3":
            guard let loginURL else { throw ValidationError("\(Settings.loginUrl.names): \(mode) login needs it") }
            guard let username = try self.text(Settings.username) else {
                throw ValidationError("\(Settings.username.names): \(mode) login needs it")
            }
            guard let password = try self.secret(Settings.passwordFile, direct: Settings.password) else {
                throw ValidationError("\(Settings.passwordFile.names) or \(Settings.password): \(mode) login needs a password")
            }
            let credentials = Credentials(username: username, password: Secret(password))
            if mode == "v3" { return .v3(loginURL: loginURL, credentials: credentials, serverURLOverride: serverURL) }
            guard let serverURL else { throw ValidationError("\(Settings.serverUrl.names): identity login needs it") }
            return .identityService(loginURL: loginURL, serverURL: serverURL, credentials: credentials)
        default:
            throw ValidationError("\(Settings.loginMode.names): '\(mode.prefix(64))' is not identity, v3 or fixed-session")
        }
    }
}
