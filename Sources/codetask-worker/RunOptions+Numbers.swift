import ArgumentParser
import Foundation
import CodetaskWorker
import InformaticaClient

/// The numeric settings of `run`: each one's flag, variable and the configuration field it sets, in one table
/// per kind of value, parsed in one place.
extension RunOptions {
    /// A setting: the flag's value, the flag's name (which also names the variable), the field it sets and the
    /// values allowed.
    private struct Setting<Value, Bound: Comparable> {
        let flag: String?
        let name: String
        let field: WritableKeyPath<WorkerConfiguration, Value>
        let range: ClosedRange<Bound>

        /// `CODETASK_` and the flag's name in capitals, `-` as `_`.
        var variable: String { "CODETASK_" + self.name.uppercased().replacingOccurrences(of: "-", with: "_") }
    }

    private typealias Ranges = WorkerConfiguration.SettingRanges

    /// Settings given in seconds (fractions allowed), with their ranges in seconds.
    private var durations: [Setting<Duration, Double>] {
        [
            Setting(flag: self.requestDeadline, name: "request-deadline", field: \.informatica.retry.deadline, range: 0.001...86_400),
            Setting(flag: self.attemptTimeout, name: "attempt-timeout", field: \.informatica.retry.attemptTimeout, range: 0.001...3_600),
            Setting(flag: self.commitInterval, name: "commit-interval", field: \.commitInterval, range: Self.seconds(Ranges.commitInterval)),
            Setting(flag: self.shutdownGrace, name: "shutdown-grace", field: \.shutdownGracePeriod, range: Self.seconds(Ranges.shutdownGracePeriod)),
            Setting(
                flag: self.rebalanceDrain, name: "rebalance-drain", field: \.rebalanceDrainTimeout, range: Self.seconds(Ranges.rebalanceDrainTimeout)),
            Setting(flag: self.breakerOpen, name: "breaker-open", field: \.informatica.circuitBreaker.openDuration, range: 0.001...86_400),
        ]
    }

    /// Settings that count something.
    private var counts: [Setting<Int, Int>] {
        [
            Setting(flag: self.maxAttempts, name: "max-attempts", field: \.informatica.retry.maxAttempts, range: 1...100),
            Setting(flag: self.maxInFlight, name: "max-in-flight", field: \.maxInFlight, range: Ranges.maxInFlight),
            Setting(flag: self.maxPending, name: "max-pending", field: \.maxPendingRecords, range: Ranges.maxPendingRecords),
            Setting(flag: self.breakerFailures, name: "breaker-failures", field: \.informatica.circuitBreaker.failureThreshold, range: 1...10_000),
            Setting(flag: self.maxConnections, name: "max-connections", field: \.informatica.http.maxConnectionsPerHost, range: 1...1_024),
            Setting(flag: self.maxOutageRetries, name: "max-outage-retries", field: \.maxOutageRetries, range: Ranges.maxOutageRetries),
        ]
    }

    /// The largest `--rate-limit` (starts per second; 0 turns the limit off).
    static let rateLimitRange = 0.0...100_000

    /// Applies every numeric setting given by flag or variable; the rest keep their defaults.
    /// - Throws: `ValidationError` naming the flag, the variable and the range of the first value that does not
    ///   parse or lies outside its range (checked before any conversion, so no value can overflow).
    func applyNumbers(_ source: SettingSource, to configuration: inout WorkerConfiguration) throws {
        for setting in self.durations {
            configuration[keyPath: setting.field] = try source.value(
                setting.flag, env: setting.variable, name: setting.name, default: configuration[keyPath: setting.field],
                expected: "a number of seconds from \(setting.range.lowerBound) to \(setting.range.upperBound)"
            ) { text in
                Double(text).flatMap { setting.range.contains($0) ? Duration.milliseconds(($0 * 1000).rounded()) : nil }
            }
        }
        for setting in self.counts {
            configuration[keyPath: setting.field] = try source.value(
                setting.flag, env: setting.variable, name: setting.name, default: configuration[keyPath: setting.field],
                expected: "a whole number from \(setting.range.lowerBound) to \(setting.range.upperBound)"
            ) { text in Int(text).flatMap { setting.range.contains($0) ? $0 : nil } }
        }
        let range = Self.rateLimitRange
        let rate = try source.value(
            self.rateLimit, env: "CODETASK_RATE_LIMIT", name: "rate-limit", default: 0.0,
            expected: "a number from \(range.lowerBound) to \(range.upperBound)"
        ) { text in Double(text).flatMap { range.contains($0) ? $0 : nil } }
        configuration.informatica.rateLimit = rate > 0 ? RateLimitSettings(startsPerSecond: rate, burst: max(1, Int(rate))) : nil
    }

    /// A range of durations in seconds.
    private static func seconds(_ range: ClosedRange<Duration>) -> ClosedRange<Double> {
        range.lowerBound.seconds...range.upperBound.seconds
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    fileprivate var seconds: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
