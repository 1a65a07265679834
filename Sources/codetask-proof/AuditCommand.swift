import ArgumentParser
import CodetaskWorker
import Kafka
import Logging
import ProofSupport

/// `codetask-proof audit`: an independent reading of a run on any Kafka and (optionally) a running simulator.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the input, output and dead-letter topics from the beginning (and the simulator's Start calls) and report.",
        discussion: """
            Reports valid requests, terminal events, lost requests (valid, no terminal event), duplicate events (same \
            ce_id), code tasks started more than once (with --simulator), dead letters by reason, malformed records \
            not dead-lettered, the group's final lag per partition and the largest end-to-end latency. Exit status 1 \
            when a valid request was lost.
            """)

    @Option(help: "Kafka bootstrap servers.") var brokers: String
    @Option(help: "The worker's consumer group (for its committed positions).") var group = "codetask-start-worker"
    @Option(help: "Input topic.") var inputTopic = WorkerTopics().input
    @Option(help: "Output topic.") var outputTopic = WorkerTopics().output
    @Option(help: "Dead-letter topic.") var dlqTopic = WorkerTopics().deadLetter
    @Option(help: "The Informatica simulator's base URL, for its record of Start calls (GET /admin/start-calls).")
    var simulator: String?
    @Option(help: "Input records to wait for at least.") var expect = 1
    @Option(help: "Seconds without a new record after which the topics count as read.") var settle = 3.0
    @Option(name: .customLong("kafka-property"), help: "librdkafka property key=value for the reader (repeatable).")
    var kafkaProperties: [String] = []

    func run() async throws {
        var logger = Logger(label: "codetask-proof")
        logger.logLevel = .error
        let topics = WorkerTopics(input: self.inputTopic, output: self.outputTopic, deadLetter: self.dlqTopic)
        var properties: [String: String] = [:]
        for pair in self.kafkaProperties {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--kafka-property \(pair): expected key=value") }
            properties[parts[0]] = parts[1]
        }
        let kafka = KafkaClientConfiguration(
            bootstrapServers: self.brokers.split(separator: ",").map(String.init), clientID: "codetask-proof-audit", properties: properties)
        let snapshot = try await TopicSnapshot.read(
            kafka: kafka, topics: topics, expectedInput: self.expect, settle: .milliseconds(Int64(self.settle * 1000)), logger: logger)
        let committed = try await AuditSources.committed(
            kafka: kafka, group: self.group, topic: topics.input, partitions: snapshot.inputEnds.keys, logger: logger)
        let calls = try await self.simulator.asyncMap { try await AuditSources.startCalls(simulatorURL: $0) }
        let report = AuditReport(snapshot: snapshot, startCalls: calls, committed: committed, topics: topics)
        report.lines.forEach(emit)
        if !report.isLossFree { throw ExitCode(1) }
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
