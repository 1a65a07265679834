import ArgumentParser
import Foundation
import Kafka
import Logging
import Synchronization

/// Produces and then consumes N records on librdkafka's mock cluster, once with our Kafka module and once
/// with `kcat` on the same cluster in the same run, and prints both rates and the ratios.
@main
struct KafkaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-bench",
        abstract: "Kafka module throughput vs kcat on the mock cluster (build with -c release).")

    @Option(help: "Records per run.") var count = 1_000_000
    @Option(help: "Bytes per record value.") var size = 100
    @Option(help: "Partitions of each topic.") var partitions = 6

    func run() async throws {
        var logger = Logger(label: "kafka-bench")
        logger.logLevel = .error
        let cluster = try KafkaMockCluster(brokers: 3, logger: logger)
        let client = KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers], clientID: "bench")
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        print("kafka-bench: \(count) records of \(size) bytes, \(partitions) partitions, librdkafka \(Librdkafka.versionString)")

        let oursTopic = "bench-ours", kcatTopic = "bench-kcat"
        try cluster.createTopic(oursTopic, partitions: partitions)
        try cluster.createTopic(kcatTopic, partitions: partitions)

        let oursProduce = try await produceWithModule(client, topic: oursTopic, payload: payload, logger: logger)
        let kcatProduce = try produceWithKcat(cluster.bootstrapServers, topic: kcatTopic)
        let oursConsume = try await consumeWithModule(client, topic: oursTopic, logger: logger)
        let kcatConsume = try consumeWithKcat(cluster.bootstrapServers, topic: kcatTopic)

        func rate(_ seconds: Double) -> Double { Double(count) / seconds }
        func line(_ what: String, _ ours: Double, _ kcat: Double) {
            print(String(format: "%@: module %.0f msg/s, kcat %.0f msg/s, ratio %.2f", what, rate(ours), rate(kcat),
                         kcat / ours))
        }
        line("produce", oursProduce, kcatProduce)
        line("consume", oursConsume, kcatConsume)
    }

    /// Enqueues every record with a delivery callback and waits for all acknowledgements.
    private func produceWithModule(_ client: KafkaClientConfiguration, topic: String, payload: [UInt8],
                                   logger: Logger) async throws -> Double {
        var configuration = KafkaProducerConfiguration(client: client)
        configuration.client.properties = ["queue.buffering.max.messages": "1000000", "batch.num.messages": "10000"]
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let failures = Atomic<Int>(0)
        let start = ContinuousClock.now
        for _ in 0..<count {
            let message = KafkaOutgoingMessage(topic: topic, key: nil, value: payload)
            while true {
                do {
                    try producer.enqueue(message) { if case .failure = $0 { failures.add(1, ordering: .relaxed) } }
                    break
                } catch {
                    guard error.code == .queueFull else { throw error }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        try await producer.flush(timeout: .seconds(120))
        let elapsed = seconds(since: start)
        await producer.close(timeout: .seconds(5))
        guard failures.load(ordering: .relaxed) == 0 else { throw ValidationError("module produce had failures") }
        return elapsed
    }

    private func consumeWithModule(_ client: KafkaClientConfiguration, topic: String, logger: Logger) async throws -> Double {
        var configuration = KafkaConsumerConfiguration(client: client, groupID: "bench-\(UUID().uuidString)")
        configuration.pollBatchSize = 10_000
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: [topic])
        var received = 0
        let start = ContinuousClock.now
        while received < count {
            received += try await consumer.poll(timeout: .milliseconds(100)).count
        }
        let elapsed = seconds(since: start)
        try await consumer.close()
        return elapsed
    }

    private func produceWithKcat(_ brokers: String, topic: String) throws -> Double {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bench-\(getpid()).txt")
        let line = String(repeating: "x", count: size) + "\n"
        try String(repeating: line, count: count).write(to: input, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        return try timeKcat(["-b", brokers, "-P", "-t", topic, "-X", "enable.idempotence=true",
                             "-X", "queue.buffering.max.messages=1000000", "-X", "linger.ms=5", "-l", input.path])
    }

    private func consumeWithKcat(_ brokers: String, topic: String) throws -> Double {
        try timeKcat(["-b", brokers, "-C", "-t", topic, "-c", String(count), "-o", "beginning", "-q",
                      "-f", "%s\n"], discardOutput: true)
    }

    private func timeKcat(_ arguments: [String], discardOutput: Bool = false) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("kcat exited with \(process.terminationStatus)") }
        return seconds(since: start)
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
