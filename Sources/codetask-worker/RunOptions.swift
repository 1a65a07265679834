import ArgumentParser

/// The worker's settings as flags, shared by `run`, `check`, `start` and `send`. Every flag's help names its
/// variable, its file key and its default (``Settings``); a flag wins over the variable, which wins over the
/// configuration file. Secrets come from files or the environment only, so they never appear in a process listing.
struct RunOptions: ParsableArguments {
    @Option(help: "A configuration file, JSON (.json) or YAML (.yaml, .yml), with the settings' file keys (CODETASK_CONFIG).")
    var config: String?

    @Option(help: ArgumentHelp(Settings.brokers.help)) var brokers: String?
    @Option(help: ArgumentHelp(Settings.group.help)) var group: String?
    @Option(help: ArgumentHelp(Settings.inputTopic.help)) var inputTopic: String?
    @Option(help: ArgumentHelp(Settings.outputTopic.help)) var outputTopic: String?
    @Option(help: ArgumentHelp(Settings.dlqTopic.help)) var dlqTopic: String?
    @Option(help: ArgumentHelp(Settings.journal.help)) var journal: String?
    @Option(help: ArgumentHelp(Settings.journalTopic.help)) var journalTopic: String?
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(Settings.createTopics.help)) var createTopics: Bool?
    @Option(name: .customLong(Settings.kafkaPropertiesFile.flag), help: ArgumentHelp(Settings.kafkaPropertiesFile.help))
    var kafkaPropertiesFile: String?
    @Option(parsing: .singleValue, help: ArgumentHelp(Settings.kafkaProperty.help)) var kafkaProperty: [String] = []

    @Option(help: ArgumentHelp(Settings.loginMode.help)) var loginMode: String?
    @Option(help: ArgumentHelp(Settings.loginUrl.help)) var loginUrl: String?
    @Option(help: ArgumentHelp(Settings.serverUrl.help)) var serverUrl: String?
    @Option(help: ArgumentHelp(Settings.username.help)) var username: String?
    @Option(help: ArgumentHelp(Settings.passwordFile.help)) var passwordFile: String?
    @Option(help: ArgumentHelp(Settings.sessionIdFile.help)) var sessionIdFile: String?
    @Option(help: ArgumentHelp(Settings.caBundle.help)) var caBundle: String?
    @Option(help: ArgumentHelp(Settings.httpProxy.help)) var httpProxy: String?
    @Option(help: ArgumentHelp(Settings.httpProxyCredentialsFile.help)) var httpProxyCredentialsFile: String?
    @Option(help: ArgumentHelp(Settings.maxConnections.help)) var maxConnections: String?

    @Option(help: ArgumentHelp(Settings.maxAttempts.help)) var maxAttempts: String?
    @Option(help: ArgumentHelp(Settings.requestDeadline.help)) var requestDeadline: String?
    @Option(help: ArgumentHelp(Settings.attemptTimeout.help)) var attemptTimeout: String?
    @Option(help: ArgumentHelp(Settings.inDoubt.help)) var inDoubt: String?
    @Option(help: ArgumentHelp(Settings.rateLimit.help)) var rateLimit: String?
    @Option(help: ArgumentHelp(Settings.rateLimitScope.help)) var rateLimitScope: String?
    @Option(help: ArgumentHelp(Settings.breakerFailures.help)) var breakerFailures: String?
    @Option(help: ArgumentHelp(Settings.breakerOpen.help)) var breakerOpen: String?
    @Option(help: ArgumentHelp(Settings.maxOutageRetries.help)) var maxOutageRetries: String?

    @Option(help: ArgumentHelp(Settings.maxInFlight.help)) var maxInFlight: String?
    @Option(help: ArgumentHelp(Settings.maxPending.help)) var maxPending: String?
    @Option(help: ArgumentHelp(Settings.commitInterval.help)) var commitInterval: String?
    @Option(help: ArgumentHelp(Settings.shutdownGrace.help)) var shutdownGrace: String?
    @Option(help: ArgumentHelp(Settings.rebalanceDrain.help)) var rebalanceDrain: String?
    @Option(help: ArgumentHelp(Settings.assignmentReadLimit.help)) var assignmentReadLimit: String?
    @Option(help: ArgumentHelp(Settings.logLevel.help)) var logLevel: String?

    @Option(help: ArgumentHelp(Settings.logFormat.help)) var logFormat: String?
    @Option(help: ArgumentHelp(Settings.httpAddress.help)) var httpAddress: String?
    @Option(help: ArgumentHelp(Settings.readyMaxRecordAge.help)) var readyMaxRecordAge: String?
    @Option(help: ArgumentHelp(Settings.otlpEndpoint.help)) var otlpEndpoint: String?

    /// The values given as flags, by setting. Each setting's property is named after its file key (`maxInFlight`),
    /// so the flags are found by name and none can be left out of this mapping.
    var flags: [Setting: [String]] {
        var given: [String: [String]] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label?.dropFirst() else { continue }  // `_maxInFlight`: the property wrapper
            switch child.value {
            case let option as Option<String?>: given[String(label)] = option.wrappedValue.map { [$0] } ?? []
            case let option as Option<[String]>: given[String(label)] = option.wrappedValue
            case let flag as Flag<Bool?>: given[String(label)] = flag.wrappedValue.map { ["\($0)"] } ?? []
            default: continue
            }
        }
        var flags: [Setting: [String]] = [:]
        for setting in Settings.all {
            guard let values = given[setting.key] else { preconditionFailure("RunOptions has no property \(setting.key) for --\(setting.flag)") }
            if !values.isEmpty { flags[setting] = values }
        }
        return flags
    }

    /// A reader of the settings from the flags, the environment and the configuration file.
    /// - Throws: `ValidationError` naming `--config` when the configuration file cannot be read or parsed.
    func reader() async throws -> SettingReader {
        SettingReader(sources: try await SettingSources(flags: self.flags, configFile: self.config))
    }
}
