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
