@testable import Kafka
import Testing

@Suite("Kafka layer units")
struct KafkaUnitTests {
    @Test func consumerStateHoldsPausedAndDropsRevoked() {
        let p0 = TopicPartition(topic: "t", partition: 0)
        let p1 = TopicPartition(topic: "t", partition: 1)
        var state = ConsumerState()
        func record(_ partition: TopicPartition, _ offset: Int64) -> ConsumerState.Fetched {
            state.fetched(KafkaMessage(topicPartition: partition, offset: offset, key: nil, value: []))
        }
        state.assign([p0, p1])
        state.pause([p0])
        #expect(state.admit([record(p0, 0), record(p1, 0), record(p0, 1)]).map(\.message.offset) == [0])
        #expect(state.held.count == 2)
        state.resume([p0])
        #expect(state.admit([record(p0, 2)]).map { "\($0.message.partition):\($0.message.offset)" } == ["0:0", "0:1", "0:2"])
        state.revoke([p1])
        #expect(state.disposition(of: record(p1, 5)) == .drop)
    }

    @Test func configurationTranslatesAndRedacts() {
        var client = KafkaClientConfiguration(bootstrapServers: ["a:1", "b:2"],
                                              properties: ["sasl.password": "hunter2", "linger.ms": "50"])
        client.clientID = "w"
        let producer = KafkaProducerConfiguration(client: client).librdkafkaProperties
        #expect(producer["bootstrap.servers"] == "a:1,b:2")
        #expect(producer["enable.idempotence"] == "true" && producer["acks"] == "all")
        #expect(producer["linger.ms"] == "50", "pass-through properties win")
        let consumer = KafkaConsumerConfiguration(client: client, groupID: "g").librdkafkaProperties
        #expect(consumer["enable.auto.commit"] == "false" && consumer["enable.auto.offset.store"] == "false")
        #expect(consumer["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(!client.description.contains("hunter2"))
    }

    @Test func invalidPropertyNamesTheSettingButNotASecret() {
        let bad = KafkaClientConfiguration(bootstrapServers: ["x:1"], properties: ["ssl.key.password": "s3cret-value",
                                                                                    "no.such.property": "1"])
        #expect {
            _ = try KafkaAdmin(configuration: bad, logger: .init(label: "t"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("no.such.property") && !text.contains("s3cret-value")
        }
    }

    @Test func errorsSayWhetherTheyAreRetriable() {
        #expect(KafkaError(code: .messageTimedOut, message: "").isRetriable)
        #expect(KafkaError(code: .allBrokersDown, message: "").isRetriable)
        #expect(!KafkaError(code: .invalidArgument, message: "").isRetriable)
        #expect(KafkaError(code: .fatal, message: "").isFatal)
        #expect(KafkaError.Code.messageTimedOut.name == "_MSG_TIMED_OUT")
    }

    @Test func loadedLibrdkafkaIsSupported() throws {
        #expect(Librdkafka.version >= Librdkafka.minimumVersion)
        try Librdkafka.requireSupportedVersion()
        #expect(Librdkafka.Version(packed: 0x0208_00ff) == .init(major: 2, minor: 8, patch: 0))
        #expect(Librdkafka.Version(major: 2, minor: 0, patch: 2) < Librdkafka.minimumVersion)
    }
}
