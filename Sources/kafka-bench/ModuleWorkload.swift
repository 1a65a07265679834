import Foundation
import Kafka
import Logging
import Synchronization

/// Produces and consumes with this package's `Kafka` module.
///
/// Each timing covers what the kcat process does too: creating the client and connecting, the work, and the
/// final flush (produce) or leaving the group (consume).
struct ModuleWorkload {
    let client: KafkaClientConfiguration
    /// Producer properties that decide how records are spread over partitions.
    let partitioning: [String: String]
    let count: Int
    let payload: [UInt8]
    let timeout: Duration
    let logger: Logger

    /// Enqueues every record with a delivery callback and waits until all are acknowledged.
    /// Default producer settings: idempotent, `acks=all`, `linger.ms=5`.
    /// - Returns: the seconds it took.
    func produce(topic: String) async throws -> Double {
        let deadline = Deadline(limit: timeout)
        var configuration = KafkaProducerConfiguration(client: client)
        configuration.client.properties.merge(partitioning) { _, new in new }
        configuration.client.properties["queue.buffering.max.messages"] = "1000000"
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let failures = Atomic<Int>(0)
        var progress = ProgressReporter("module produce: enqueued", total: count)
        let message = KafkaOutgoingMessage(topic: topic, key: nil, value: payload)
        let onDelivery: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void = { result in
            if case .failure = result { failures.add(1, ordering: .relaxed) }
        }
        for index in 0..<count {
            while true {
                do {
                    try producer.enqueue(message, onDelivery: onDelivery)
                    break
                } catch {
                    guard error.code == .queueFull else { throw error }
                    try deadline.check("module produce: \(index) of \(count) records enqueued")
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            progress.update(index + 1)
        }
        BenchOutput.progress("module produce: waiting for \(producer.outstandingCount) acknowledgements")
        try await producer.flush(timeout: timeout - (ContinuousClock.now - deadline.start))
        let elapsed = seconds(since: deadline.start)
        await producer.close(timeout: .seconds(5))
        let failed = failures.load(ordering: .relaxed)
        guard failed == 0 else { throw BenchFailure("module produce: \(failed) records failed") }
        BenchOutput.progress(String(format: "module produce: done in %.2f s", elapsed))
        return elapsed
    }

    /// Joins a new group, reads the topic from the beginning until `count` records arrived, then leaves.
    /// - Parameter readsHeaders: whether each record's headers are copied out (kcat's default output reads none).
    /// - Returns: the seconds it took.
    func consume(topic: String, group: String, readsHeaders: Bool) async throws -> Double {
        let deadline = Deadline(limit: timeout)
        var configuration = KafkaConsumerConfiguration(client: client, groupID: group)
        configuration.client.properties.merge(ConsumerPrefetch.properties) { _, new in new }
        configuration.pollBatchSize = 10_000
        configuration.readsHeaders = readsHeaders
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: [topic])
        var progress = ProgressReporter("module consume: received", total: count)
        var received = 0
        while received < count {
            try deadline.check("module consume: \(received) of \(count) records received "
                               + "(a mock partition keeps only about 5 MiB: are there enough partitions?)")
            received += try await consumer.poll(timeout: .milliseconds(100)).count
            progress.update(received)
        }
        try await consumer.close()
        let elapsed = seconds(since: deadline.start)
        guard received == count else {
            throw BenchFailure("module consume: \(received) records received, \(count) expected")
        }
        BenchOutput.progress(String(format: "module consume: done in %.2f s", elapsed))
        return elapsed
    }
}
