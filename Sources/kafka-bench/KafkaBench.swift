import ArgumentParser
import Foundation
import Kafka
import Logging

/// Produces and then consumes N records on librdkafka's mock cluster, with our Kafka module and with `kcat`
/// on the same cluster in the same run, and prints both rates and the ratios (module / kcat).
///
/// The cluster runs in a child process, so each client has a process to itself. Each round uses fresh
/// topics and alternates which client goes first; the figures printed are the medians of the rounds.
/// Results go to stdout, progress to stderr; every step has a time limit and fails with a message when it
/// passes it, rather than hanging.
@main
struct KafkaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-bench",
        abstract: "Kafka module throughput vs kcat on the mock cluster (build with -c release).")

    @Option(help: "Records per run.") var count = 1_000_000
    @Option(help: "Bytes per record value.") var size = 100
    @Option(help: "Partitions of each topic (default: enough that the mock cluster keeps every record).")
    var partitions: Int?
    @Option(help: "Rounds (even, so each client goes first equally often); the medians are reported.")
    var rounds = 6
    @Option(help: "Time limit of each produce or consume step, in seconds.") var timeout = 300
    @Option(help: "Log level of the module's clients and librdkafka (trace ... critical).") var logLevel = "error"
    @Option(help: "librdkafka debug contexts for the module's clients (e.g. cgrp,fetch), for diagnosis.")
    var debug: String?
    @Flag(help: "Only run the produce steps (for profiling the producer).") var produceOnly = false
    @Flag(help: .hidden) var serveMockCluster = false
    @Option(help: .hidden) var mockTopics = ""

    func run() async throws {
        if serveMockCluster {
            return try MockClusterProcess.serve(topics: mockTopics.split(separator: ",").map(String.init),
                                                partitions: partitions ?? 1)
        }
        var logger = Logger(label: "kafka-bench")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .error
        let partitions = partitions ?? MockRetention.partitions(records: count, size: size)
        BenchOutput.result("kafka-bench: \(count) records of \(size) bytes, \(partitions) partitions, "
                           + "librdkafka \(Librdkafka.versionString), mock cluster of 3 brokers, \(rounds) rounds")
        let roundTopics = (1...max(1, rounds)).map { (ours: "bench-ours-\($0)", kcat: "bench-kcat-\($0)") }
        let cluster = try MockClusterProcess(topics: roundTopics.flatMap { [$0.ours, $0.kcat] },
                                             partitions: partitions, timeout: .seconds(30))
        BenchOutput.progress("mock cluster (own process) at \(cluster.bootstrapServers)")
        let input = try KcatWorkload.writeInput(count: count, size: size)
        defer { try? FileManager.default.removeItem(at: input) }
        let limit = Duration.seconds(timeout)
        let module = ModuleWorkload(
            client: KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers], clientID: "bench",
                                             properties: debug.map { ["debug": $0] } ?? [:]),
            partitioning: MockRetention.partitioning, count: count,
            payload: [UInt8](repeating: UInt8(ascii: "x"), count: size), timeout: limit, logger: logger)
        let kcat = KcatWorkload(brokers: cluster.bootstrapServers, count: count, size: size,
                                partitioning: MockRetention.partitioning, timeout: limit, input: input)

        var produce = Timings(), consume = Timings(), consumeWithHeaders = Timings()
        for (index, (ours, theirs)) in roundTopics.enumerated() {
            let round = index + 1
            let moduleFirst = round % 2 == 1
            try await produce.measure(moduleFirst: moduleFirst) {
                try await module.produce(topic: ours)
            } kcat: {
                try await kcat.produce(topic: theirs)
            }
            BenchOutput.progress("round \(round): produce " + produce.last(count))
            guard !produceOnly else { continue }
            // kcat's default output reads no headers, so the module is timed that way; then again reading every
            // record's headers (as the worker does), against a kcat run of its own.
            try await consume.measure(moduleFirst: moduleFirst) {
                try await module.consume(topic: ours, group: "bench-ours-\(UUID().uuidString)", readsHeaders: false)
            } kcat: {
                try await kcat.consume(topic: theirs, group: "bench-kcat-\(UUID().uuidString)")
            }
            BenchOutput.progress("round \(round): consume " + consume.last(count))
            try await consumeWithHeaders.measure(moduleFirst: moduleFirst) {
                try await module.consume(topic: ours, group: "bench-ours-\(UUID().uuidString)", readsHeaders: true)
            } kcat: {
                try await kcat.consume(topic: theirs, group: "bench-kcat-\(UUID().uuidString)")
            }
            BenchOutput.progress("round \(round): consume reading headers " + consumeWithHeaders.last(count))
        }
        BenchOutput.result("produce: " + produce.summary(count))
        if !produceOnly {
            BenchOutput.result("consume: " + consume.summary(count))
            BenchOutput.result("consume, module reading headers: " + consumeWithHeaders.summary(count))
        }
        BenchOutput.result("note: both producers idempotent (acks=all), linger.ms=5, random partition per record; "
                           + "both consumers join a new group and read every record (prefetch limits raised for both); "
                           + "kcat times include its "
                           + "process start-up, module times include creating the client")
    }
}
