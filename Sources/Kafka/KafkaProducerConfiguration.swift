/// How a ``KafkaProducer`` behaves. Defaults suit a worker that must lose nothing: idempotence on, `acks=all`.
public struct KafkaProducerConfiguration: Sendable {
    /// Brokers, client id and pass-through properties.
    public var client: KafkaClientConfiguration
    /// Idempotent delivery (`enable.idempotence`, implies `acks=all`): no duplicates from internal retries.
    public var idempotence: Bool = true
    /// How long librdkafka keeps trying to deliver a message before reporting failure (`message.timeout.ms`).
    public var messageTimeout: Duration = .seconds(300)
    /// How long to wait to fill a batch (`linger.ms`).
    public var linger: Duration = .milliseconds(5)
    /// Set to make the producer transactional (`transactional.id`); see ``KafkaProducer/initTransactions(timeout:)``.
    public var transactionalID: String?
    /// The broker-side transaction timeout (`transaction.timeout.ms`).
    public var transactionTimeout: Duration = .seconds(60)

    /// Creates a producer configuration with the defaults above.
    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    /// The largest record this producer accepts, in bytes: librdkafka's `message.max.bytes` from the pass-through
    /// properties, else its default 1,000,000. Records are checked against it before they are sent
    /// (``KafkaProducer/checkSize(_:)``); a copy of a record the broker accepted (up to 1,048,588 bytes by
    /// default) can exceed it.
    public var maxMessageBytes: Int {
        client.properties["message.max.bytes"].flatMap { Int($0.trimmingWhitespace) } ?? Self.defaultMaxMessageBytes
    }

    /// librdkafka's default `message.max.bytes`.
    public static let defaultMaxMessageBytes = 1_000_000

    /// The first pass-through property that would break this producer's guarantees, if any. With
    /// ``idempotence`` on: `enable.idempotence` other than true, `acks` (or `request.required.acks`) other than
    /// `all`/`-1`. Always: `delivery.report.only.error` other than false (a send would never learn of success),
    /// `transactional.id` (set ``transactionalID``), `message.timeout.ms` (or `delivery.timeout.ms`) other than a
    /// positive number of milliseconds (0 retries forever), and a `message.max.bytes` outside librdkafka's range.
    public var refusedProperty: RefusedProperty? {
        var rules = [
            RefusedProperty.Rule.mustBeOff("delivery.report.only.error", "every send waits for its delivery report"),
            RefusedProperty.Rule(name: "transactional.id") { _ in "set transactionalID instead, so transactions are used as such" },
            .positive("message.timeout.ms", "0 would retry an undeliverable record forever"),
            .positive("delivery.timeout.ms", "0 would retry an undeliverable record forever"),
        ]
        if idempotence {
            rules += [
                .oneOf("enable.idempotence", ["true", "t", "1"], "records must not be duplicated by internal retries"),
                .oneOf("acks", ["all", "-1"], "a record counts as published only once every in-sync replica has it"),
                .oneOf("request.required.acks", ["all", "-1"], "a record counts as published only once every in-sync replica has it"),
            ]
        }
        return RefusedProperty.first(in: client.properties, breaking: rules + RefusedProperty.commonRules)
    }

    /// Checks the pass-through properties (see ``refusedProperty``).
    /// - Throws: ``KafkaError`` (`_INVALID_ARG`, not retriable) naming the refused property.
    public func validate() throws(KafkaError) {
        if let refusedProperty { throw refusedProperty.error }
        guard messageTimeout >= .milliseconds(1) else {
            throw KafkaError(code: .invalidArgument, message: "messageTimeout must be at least 1 ms (0 would retry forever)",
                             isRetriable: false)
        }
    }

    var librdkafkaProperties: [String: String] {
        var specific = [
            "enable.idempotence": String(idempotence),
            "message.timeout.ms": String(messageTimeout.milliseconds),
            "linger.ms": String(linger.milliseconds),
        ]
        if idempotence { specific["acks"] = "all" }
        if let transactionalID {
            specific["transactional.id"] = transactionalID
            specific["transaction.timeout.ms"] = String(transactionTimeout.milliseconds)
        }
        return client.librdkafkaProperties(specific)
    }
}
