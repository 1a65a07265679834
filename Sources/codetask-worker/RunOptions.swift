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
    @Option(help: ArgumentHelp(Settings.maxConnections.help)) var maxConnections: String?

    @Option(help: ArgumentHelp(Settings.maxAttempts.help)) var maxAttempts: String?
    @Option(help: ArgumentHelp(Settings.requestDeadline.help)) var requestDeadline: String?
    @Option(help: ArgumentHelp(Settings.attemptTimeout.help)) var attemptTimeout: String?
    @Option(help: ArgumentHelp(Settings.inDoubt.help)) var inDoubt: String?
    @Option(help: ArgumentHelp(Settings.rateLimit.help)) var rateLimit: String?
    @Option(help: ArgumentHelp(Settings.breakerFailures.help)) var breakerFailures: String?
    @Option(help: ArgumentHelp(Settings.breakerOpen.help)) var breakerOpen: String?
    @Option(help: ArgumentHelp(Settings.maxOutageRetries.help)) var maxOutageRetries: String?

    @Option(help: ArgumentHelp(Settings.maxInFlight.help)) var maxInFlight: String?
    @Option(help: ArgumentHelp(Settings.maxPending.help)) var maxPending: String?
    @Option(help: ArgumentHelp(Settings.commitInterval.help)) var commitInterval: String?
    @Option(help: ArgumentHelp(Settings.shutdownGrace.help)) var shutdownGrace: String?
    @Option(help: ArgumentHelp(Settings.rebalanceDrain.help)) var rebalanceDrain: String?
    @Option(help: ArgumentHelp(Settings.logLevel.help)) var logLevel: String?

    /// The values given as flags, by setting.
    var flags: [Setting: [String]] {
        let single: [(Setting, String?)] = [
            (Settings.brokers, self.brokers), (Settings.group, self.group), (Settings.inputTopic, self.inputTopic),
            (Settings.outputTopic, self.outputTopic), (Settings.dlqTopic, self.dlqTopic),
            (Settings.createTopics, self.createTopics.map { "\($0)" }), (Settings.kafkaPropertiesFile, self.kafkaPropertiesFile),
            (Settings.loginMode, self.loginMode), (Settings.loginUrl, self.loginUrl), (Settings.serverUrl, self.serverUrl),
            (Settings.username, self.username), (Settings.passwordFile, self.passwordFile), (Settings.sessionIdFile, self.sessionIdFile),
            (Settings.caBundle, self.caBundle), (Settings.httpProxy, self.httpProxy), (Settings.maxConnections, self.maxConnections),
            (Settings.maxAttempts, self.maxAttempts), (Settings.requestDeadline, self.requestDeadline),
            (Settings.attemptTimeout, self.attemptTimeout), (Settings.inDoubt, self.inDoubt), (Settings.rateLimit, self.rateLimit),
            (Settings.breakerFailures, self.breakerFailures), (Settings.breakerOpen, self.breakerOpen),
            (Settings.maxOutageRetries, self.maxOutageRetries), (Settings.maxInFlight, self.maxInFlight),
            (Settings.maxPending, self.maxPending), (Settings.commitInterval, self.commitInterval),
            (Settings.shutdownGrace, self.shutdownGrace), (Settings.rebalanceDrain, self.rebalanceDrain),
            (Settings.logLevel, self.logLevel),
        ]
        var flags = Dictionary(uniqueKeysWithValues: single.compactMap { setting, value in value.map { (setting, [$0]) } })
        if !self.kafkaProperty.isEmpty { flags[Settings.kafkaProperty] = self.kafkaProperty }
        return flags
    }

    /// A reader of the settings from the flags, the environment and the configuration file.
    /// - Throws: `ValidationError` naming `--config` when the configuration file cannot be read or parsed.
    func reader() async throws -> SettingReader {
        SettingReader(sources: try await SettingSources(flags: self.flags, configFile: self.config))
    }
}
