import ArgumentParser
import Foundation
import CodetaskWorker
import InformaticaClient

/// The numeric settings of `run`: each one's flag, variable and the configuration field it sets, in one table
/// per kind of value, parsed in one place.
extension RunOptions {
    /// A setting: the flag's value, the flag's name (which also names the variable) and the field it sets.
    private struct Setting<Value> {
        let flag: String?
        let name: String
        let field: WritableKeyPath<WorkerConfiguration, Value>

        /// `CODETASK_` and the flag's name in capitals, `-` as `_`.
        var variable: String { "CODETASK_" + self.name.uppercased().replacingOccurrences(of: "-", with: "_") }
    }

    /// Settings given in seconds (fractions allowed, positive).
    private var durations: [Setting<Duration>] {
        [
            Setting(flag: self.requestDeadline, name: "request-deadline", field: \.informatica.retry.deadline),
            Setting(flag: self.attemptTimeout, name: "attempt-timeout", field: \.informatica.retry.attemptTimeout),
            Setting(flag: self.commitInterval, name: "commit-interval", field: \.commitInterval),
            Setting(flag: self.shutdownGrace, name: "shutdown-grace", field: \.shutdownGracePeriod),
            Setting(flag: self.rebalanceDrain, name: "rebalance-drain", field: \.rebalanceDrainTimeout),
            Setting(flag: self.breakerOpen, name: "breaker-open", field: \.informatica.circuitBreaker.openDuration),
        ]
    }

    /// Settings that count something, at least one.
    private var counts: [Setting<Int>] {
        [
            Setting(flag: self.maxAttempts, name: "max-attempts", field: \.informatica.retry.maxAttempts),
            Setting(flag: self.maxInFlight, name: "max-in-flight", field: \.maxInFlight),
            Setting(flag: self.maxPending, name: "max-pending", field: \.maxPendingRecords),
            Setting(flag: self.breakerFailures, name: "breaker-failures", field: \.informatica.circuitBreaker.failureThreshold),
            Setting(flag: self.maxConnections, name: "max-connections", field: \.informatica.http.maxConnectionsPerHost),
        ]
    }

    /// Applies every numeric setting given by flag or variable; the rest keep their defaults.
    /// - Throws: `ValidationError` naming the flag and the variable of the first value that does not parse.
    func applyNumbers(_ source: SettingSource, to configuration: inout WorkerConfiguration) throws {
        for setting in self.durations {
            configuration[keyPath: setting.field] = try source.value(
                setting.flag, env: setting.variable, name: setting.name, default: configuration[keyPath: setting.field]
            ) { text in Double(text).flatMap { $0 > 0 && $0.isFinite ? Duration.milliseconds(Int64($0 * 1000)) : nil } }
        }
        for setting in self.counts {
            configuration[keyPath: setting.field] = try source.value(
                setting.flag, env: setting.variable, name: setting.name, default: configuration[keyPath: setting.field]
            ) { text in Int(text).flatMap { $0 > 0 ? $0 : nil } }
        }
        configuration.maxOutageRetries = try source.value(
            self.maxOutageRetries, env: "CODETASK_MAX_OUTAGE_RETRIES", name: "max-outage-retries",
            default: configuration.maxOutageRetries
        ) { text in Int(text).flatMap { $0 >= 0 ? $0 : nil } }
        let rate = try source.value(self.rateLimit, env: "CODETASK_RATE_LIMIT", name: "rate-limit", default: 0.0) { text in
            Double(text).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
        }
        configuration.informatica.rateLimit = rate > 0 ? RateLimitSettings(startsPerSecond: rate, burst: max(1, Int(rate))) : nil
    }

    /// The HTTP proxy for Informatica calls, when one is given.
    /// - Throws: `ValidationError` naming the flag; the value is not echoed, as a proxy URL may carry a password.
    func applyProxy(_ source: SettingSource, to configuration: inout WorkerConfiguration) throws {
        guard let text = source.string(self.httpProxy, env: "CODETASK_HTTP_PROXY") else { return }
        guard let proxy = Self.proxy(text) else {
            throw ValidationError("--http-proxy / CODETASK_HTTP_PROXY: give host:port (proxy credentials are not supported)")
        }
        configuration.informatica.http.proxy = proxy
    }

    /// `host:port`, also written as `http://host:port`; `nil` for anything else, credentials included.
    private static func proxy(_ text: String) -> HTTPSettings.Proxy? {
        var address = Substring(text)
        if address.hasPrefix("http://") { address = address.dropFirst("http://".count) }
        if address.hasSuffix("/") { address = address.dropLast() }
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
              let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port)
        else { return nil }
        let host = address[..<colon]
        guard !host.contains("@"), !host.contains("/") else { return nil }
        return HTTPSettings.Proxy(host: String(host), port: port)
    }
}
