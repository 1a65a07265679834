/// Settings shared by producers, consumers and admin clients.
///
/// `properties` is the escape hatch: any librdkafka property (SASL/SSL, tuning, `debug`) set there is passed
/// through unchanged and wins over what the typed settings derive.
public struct KafkaClientConfiguration: Sendable, CustomStringConvertible {
    /// `host:port` addresses of one or more brokers to bootstrap from.
    public var bootstrapServers: [String]
    /// The `client.id` reported to brokers.
    public var clientID: String
    /// Extra librdkafka properties, applied last.
    public var properties: [String: String]

    /// Creates a client configuration.
    /// - Parameters:
    ///   - bootstrapServers: broker addresses, at least one.
    ///   - clientID: the `client.id` (default `codetask-worker`).
    ///   - properties: any further librdkafka properties.
    public init(bootstrapServers: [String], clientID: String = "codetask-worker", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// Merges the typed settings of one client kind with the common ones and the pass-through properties:
    /// the one place where configuration becomes librdkafka key/value pairs.
    func librdkafkaProperties(_ specific: [String: String]) -> [String: String] {
        var result = ["bootstrap.servers": bootstrapServers.joined(separator: ","), "client.id": clientID]
        result.merge(specific) { _, new in new }
        result.merge(properties) { _, new in new }
        return result
    }

    /// Whether a property's value must never be shown (passwords, keys, tokens).
    static func isSecret(property name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "token", "oauthbearer.config", ".pem", "key.location"]
            .contains { lowered.contains($0) }
    }

    public var description: String {
        let shown = properties.keys.sorted().map { key in
            "\(key)=\(Self.isSecret(property: key) ? "<redacted>" : properties[key]!)"
        }
        return "KafkaClientConfiguration(bootstrapServers: \(bootstrapServers), clientID: \(clientID), "
            + "properties: [\(shown.joined(separator: ", "))])"
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, for librdkafka's `*.ms` settings; saturates instead of overflowing, so a
    /// huge duration becomes a value librdkafka refuses by name rather than a crash.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = Int(clamping: seconds).multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? Int.min : Int.max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(Int(attoseconds / 1_000_000_000_000_000))
        return overflowAgain ? Int.max : total
    }

    /// Milliseconds for librdkafka's `int` timeouts: clamped to 0...Int32.max (about 24.8 days), never a crash.
    var int32Milliseconds: Int32 { Int32(clamping: max(0, self.milliseconds)) }
}
