import Logging
import Testing

@testable import Kafka

@Suite("Kafka layer: error classes, refused properties, record sizes")
struct GuaranteeTests {
    @Test("permanent errors are those a record can never get past; retriable ones are not permanent")
    func permanentErrors() {
        for code in [KafkaError.Code.messageSizeTooLarge, .invalidRecord, .topicAuthorizationFailed, .unknownTopic, .unknownTopicOrPartition] {
            let error = KafkaError(code: code, message: "")
            #expect(error.isPermanent, "\(code)")
            #expect(!error.isRetriable, "\(code)")
        }
        for code in [KafkaError.Code.messageTimedOut, .allBrokersDown, .queueFull, .notEnoughReplicas, .state, .purgedInFlight] {
            #expect(!KafkaError(code: code, message: "").isPermanent, "\(code)")
        }
        #expect("\(KafkaError(code: .messageSizeTooLarge, message: "m"))".contains("permanent"))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let property: String
        let value: String
        var testDescription: String { "\(self.property)=\(self.value)" }
    }

    static let refusedConsumerProperties = [
        Refusal(property: "enable.auto.commit", value: "true"), Refusal(property: "enable.auto.offset.store", value: "TRUE"),
        Refusal(property: "partition.assignment.strategy", value: "range"), Refusal(property: "group.protocol", value: "consumer"),
        Refusal(property: "group.id", value: "another"), Refusal(property: "message.max.bytes", value: "999"),
    ]

    static let refusedProducerProperties = [
        Refusal(property: "enable.idempotence", value: "false"), Refusal(property: "acks", value: "1"),
        Refusal(property: "request.required.acks", value: "0"), Refusal(property: "delivery.report.only.error", value: "true"),
        Refusal(property: "transactional.id", value: "t"), Refusal(property: "message.max.bytes", value: "lots"),
        Refusal(property: "message.timeout.ms", value: "0"), Refusal(property: "delivery.timeout.ms", value: "-5"),
    ]

    @Test("a consumer refuses pass-through properties that break its guarantees, naming them", arguments: refusedConsumerProperties)
    func consumerRefuses(_ refusal: Refusal) {
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"], properties: [refusal.property: refusal.value])
        let configuration = KafkaConsumerConfiguration(client: client, groupID: "g")
        #expect(configuration.refusedProperty?.name == refusal.property)
        #expect {
            _ = try KafkaConsumer(configuration: configuration, logger: Logger(label: "t"))
        } throws: { error in
            "\(error)".contains("\"\(refusal.property)\" is refused") && !((error as? KafkaError)?.isRetriable ?? true)
        }
    }

    @Test("a producer refuses pass-through properties that break its guarantees, naming them", arguments: refusedProducerProperties)
    func producerRefuses(_ refusal: Refusal) {
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"], properties: [refusal.property: refusal.value])
        let configuration = KafkaProducerConfiguration(client: client)
        #expect(configuration.refusedProperty?.name == refusal.property)
        #expect {
            _ = try KafkaProducer(configuration: configuration, logger: Logger(label: "t"))
        } throws: { error in
            "\(error)".contains("\"\(refusal.property)\" is refused")
        }
    }

    @Test("the values that keep the guarantees are accepted")
    func acceptedProperties() {
        let client = KafkaClientConfiguration(
            bootstrapServers: ["127.0.0.1:1"],
            properties: ["enable.auto.commit": "false", "enable.auto.offset.store": "false", "acks": "-1", "enable.idempotence": "true",
                         "group.id": "g", "partition.assignment.strategy": "cooperative-sticky", "message.max.bytes": " 2000000 "])
        #expect(KafkaConsumerConfiguration(client: client, groupID: "g").refusedProperty == nil)
        #expect(KafkaProducerConfiguration(client: client).refusedProperty == nil)
        #expect(KafkaProducerConfiguration(client: client).maxMessageBytes == 2_000_000)
        var plain = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: ["x:1"], properties: ["acks": "1"]))
        #expect(plain.refusedProperty?.name == "acks")
        plain.idempotence = false
        #expect(plain.refusedProperty == nil, "acks is the caller's choice once idempotence is off in code")
        #expect(KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: ["x:1"])).maxMessageBytes == 1_000_000)
    }

    @Test("a consumer reads back from librdkafka that it does not store offsets by itself")
    func offsetsAreStoredByTheApplication() throws {
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"])
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(client: client, groupID: "g"), logger: Logger(label: "t"))
        #expect(!consumer.storesOffsetsAutomatically)
        #expect(consumer.handle.booleanProperty("enable.auto.offset.store") == false)
        #expect(consumer.handle.booleanProperty("api.version.request") == true, "a property that is on reads as on")
        #expect(consumer.handle.booleanProperty("no.such.property") == nil)
    }

    @Test("huge durations saturate instead of crashing; librdkafka timeouts are clamped to its int range")
    func hugeDurations() {
        #expect(Duration.seconds(Int64.max).milliseconds == Int.max)
        #expect(Duration.seconds(Int64.max).int32Milliseconds == Int32.max)
        #expect(Duration.seconds(-5).int32Milliseconds == 0)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        var producer = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: ["x:1"]))
        producer.messageTimeout = .zero
        #expect(throws: KafkaError.self) { try producer.validate() }
    }

    @Test("the size estimate counts key, value and headers with their largest framing")
    func wireSize() {
        let record = KafkaOutgoingMessage(
            topic: "t", key: [1, 2], value: [UInt8](repeating: 0, count: 100),
            headers: [KafkaHeader(name: "abc", value: [1]), KafkaHeader(name: "n", value: nil)])
        #expect(record.maximumWireSize == 36 + 2 + 100 + (10 + 3 + 1) + (10 + 1))
    }
}
