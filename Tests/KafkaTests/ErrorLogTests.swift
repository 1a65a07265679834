import Kafka
import KafkaTestSupport
import Logging
import Testing

@Suite("librdkafka's reports in the log")
struct ErrorLogTests {
    /// librdkafka reports a refused connection twice: as a log line and through the error callback. The log shows
    /// it once at warning level or above; the error callback's copy goes to debug.
    @Test("a broker that refuses connections is logged once at warning level or above, not twice")
    func refusedConnectionLoggedOnce() async throws {
        let capture = LogCapture()
        let client = KafkaClientConfiguration(
            bootstrapServers: ["127.0.0.1:1"], properties: ["reconnect.backoff.ms": "100", "reconnect.backoff.max.ms": "200"])
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: client), logger: capture.logger("p"))
        let sawCallback = await eventually(timeout: .seconds(10)) {
            capture.text.contains("librdkafka error") && capture.text.contains("Connection refused")
        }
        await producer.close(timeout: .seconds(1))
        let lines = capture.text.split(separator: "\n").map(String.init)
        let loud = lines.filter { $0.hasPrefix("warning") || $0.hasPrefix("error") || $0.hasPrefix("critical") }
        let repeatedErrors = loud.filter { $0.contains("librdkafka error") && $0.contains("Connection refused") }
        #expect(sawCallback, "librdkafka's error callback never reported the refused connection: \(lines.suffix(10))")
        #expect(loud.contains { $0.contains("Connection refused") }, "the refusal is not logged loudly: \(lines.suffix(10))")
        #expect(repeatedErrors.isEmpty, "logged twice: \(repeatedErrors.prefix(3))")
    }

    /// The worker's liveness reads this: a live producer's delivery-report thread turns at least every 100 ms
    /// (even with no broker to talk to); once closed, it is silent.
    @Test("the delivery-report thread's silence stays under a second while the producer is open, and grows once closed")
    func deliveryLoopSilence() async throws {
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"])
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: client), logger: LogCapture().logger("p"))
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(200))
            #expect(producer.deliveryLoopSilence < .seconds(1), "silent for \(producer.deliveryLoopSilence)")
        }
        await producer.close(timeout: .seconds(1))
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(producer.deliveryLoopSilence >= .seconds(1))
    }

    private func eventually(timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
