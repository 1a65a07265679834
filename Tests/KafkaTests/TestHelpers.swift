import Foundation
import Kafka
import KafkaTestSupport
import Synchronization
import Testing

/// Polls until `count` records arrived or `deadline` passed; stores the offset after each record when asked.
func collect(_ consumer: KafkaConsumer, count: Int, within deadline: Duration = .seconds(90),
             storeOffsets: Bool = false) async throws -> [KafkaMessage] {
    var received: [KafkaMessage] = []
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: deadline)
    while received.count < count && clock.now < end {
        let batch = try await consumer.poll(timeout: .milliseconds(200))
        if storeOffsets { for message in batch { try consumer.storeOffset(after: message) } }
        received += batch
    }
    return received
}

/// Polls for `duration` and returns whatever arrived (to show that nothing does).
func drain(_ consumer: KafkaConsumer, for duration: Duration) async throws -> [KafkaMessage] {
    var received: [KafkaMessage] = []
    let end = ContinuousClock.now.advanced(by: duration)
    while ContinuousClock.now < end { received += try await consumer.poll(timeout: .milliseconds(100)) }
    return received
}

/// Produces `count` records with keys `key-<i % keys>` and values `<i>` and waits for all acknowledgements.
@discardableResult
func produce(_ producer: KafkaProducer, topic: String, count: Int, keys: Int = 64, partition: Int32? = nil,
             valuePrefix: String = "") async throws -> [KafkaDeliveryReport] {
    let reports = LockedBox<[Result<KafkaDeliveryReport, KafkaError>]>([])
    for index in 0..<count {
        let message = KafkaOutgoingMessage(topic: topic, partition: partition, key: "key-\(index % keys)",
                                           value: "\(valuePrefix)\(index)")
        while true {
            do {
                try producer.enqueue(message) { result in reports.withLock { $0.append(result) } }
                break
            } catch {
                guard error.code == .queueFull else { throw error }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
    try await producer.flush(timeout: .seconds(60))
    return try reports.withLock { try $0.map { try $0.get() } }
}

/// Which test is using which broker, so the test log shows both brokers ran.
func announce(_ broker: TestBroker, _ test: String) {
    print("[kafka-tests] \(test) on \(broker.kind) at \(broker.bootstrapServers)")
}

extension KafkaMessage {
    var valueString: String { String(decoding: value, as: UTF8.self) }
}

/// A lock-protected value that closures can share (a `Mutex` cannot be captured).
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
    var value: Value { withLock { $0 } }
}
