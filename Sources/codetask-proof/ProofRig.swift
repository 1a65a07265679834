import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Logging
import ProofSupport

/// One run's world: a broker, the worker's three topics, the simulator, and worker processes of one group.
final class ProofRig: @unchecked Sendable {
    let options: RigOptions
    let broker: TestBroker
    let simulator: InformaticaSimulator
    let topics: WorkerTopics
    let group: String
    /// The input topic's partitions (at least the option's, more when the run's records need them).
    let inputPartitions: Int
    let logDirectory: String
    let binary: String
    let logger: Logger
    /// Flags every worker gets before the run's extra ones.
    let baseArguments: [String]
    private var launched = 0

    /// - Parameter requests: The run's requests, to give the topics enough partitions to keep every record.
    init(options: RigOptions, requests: Int, baseArguments: [String], logger: Logger) async throws {
        self.options = options
        self.baseArguments = baseArguments
        self.logger = logger
        self.binary = try options.workerBinary ?? WorkerChild.binary()
        self.broker = try TestBroker(options.broker)
        let sizes = TopicSizes(requests: requests, malformedEvery: options.malformedEvery, inputPartitions: options.partitions)
        self.topics = WorkerTopics(
            input: try await self.broker.createTopic(prefix: "proof.requests", partitions: sizes.input),
            output: try await self.broker.createTopic(prefix: "proof.events", partitions: sizes.output),
            deadLetter: try await self.broker.createTopic(prefix: "proof.dlq", partitions: sizes.deadLetter),
            // The attempt journal, one partition per input partition, made here: the mock cluster's CreateTopics,
            // which the worker would use, times out.
            journal: try await self.broker.createTopic(prefix: "proof.journal", partitions: sizes.input))
        self.inputPartitions = sizes.input
        self.group = uniqueName("proof")
        var configuration = SimulatorConfiguration()
        configuration.faults = Self.baseFaults(latencyMilliseconds: options.latencyMs)
        self.simulator = try await InformaticaSimulator.start(configuration, logger: logger)
        self.logDirectory = options.logDir ?? NSTemporaryDirectory() + uniqueName("codetask-proof")
        try FileManager.default.createDirectory(atPath: self.logDirectory, withIntermediateDirectories: true)
    }

    /// The simulator's faults outside any scheduled fault: only the set latency.
    var baseFaults: FaultConfiguration { Self.baseFaults(latencyMilliseconds: self.options.latencyMs) }

    private static func baseFaults(latencyMilliseconds: Int) -> FaultConfiguration {
        var faults = FaultConfiguration()
        faults.latency = latencyMilliseconds > 0 ? .fixed(milliseconds: Double(latencyMilliseconds)) : .none
        return faults
    }

    /// Client settings for the runner's own producer and readers.
    var kafka: KafkaClientConfiguration { self.broker.clientConfiguration() }

    /// Starts a worker named `name` with its operations endpoint on a free port and its log in the log folder.
    func launchWorker(_ name: String) throws -> RigWorker {
        self.launched += 1
        let port = try FreePort.find()
        var settings = WorkerChild.environment(brokers: self.broker.bootstrapServers, group: self.group, topics: self.topics, simulator: self.simulator)
        settings["CODETASK_LOG_LEVEL"] = "warning"
        settings["CODETASK_HTTP_ADDRESS"] = "127.0.0.1:\(port)"
        let arguments = ["--kafka-property", "session.timeout.ms=\(self.options.sessionTimeoutMs)",
                         "--kafka-property", "reconnect.backoff.max.ms=1000"] + self.baseArguments + self.options.workerArguments
        let logPath = "\(self.logDirectory)/\(name)-\(self.launched).log"
        let child = try WorkerChild.launch(binary: self.binary, settings: settings, arguments: arguments, logPath: logPath)
        return RigWorker(name: name, child: child, metricsAddress: "127.0.0.1:\(port)", logPath: logPath, startedAt: Date())
    }

    /// Waits until every worker owns partitions and together they own them all (from their /metrics), so that the
    /// load meets a formed group.
    /// - Returns: Whether the group formed within `timeout`.
    func waitForGroup(_ workers: [RigWorker], timeout: TimeInterval = 120) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var owned: [Double] = []
            for worker in workers {
                owned.append((try? await MetricsScrape.fetch(address: worker.metricsAddress))?.sum("codetask_worker_partitions_assigned") ?? 0)
            }
            if owned.allSatisfy({ $0 > 0 }), owned.reduce(0, +) == Double(self.inputPartitions) { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// The worker group's committed positions on the input topic.
    func committed(timeout: Duration = .seconds(20)) async throws -> [Int32: Int64] {
        try await AuditSources.committed(
            kafka: self.kafka, group: self.group, topic: self.topics.input, partitions: 0..<Int32(self.inputPartitions),
            timeout: timeout, logger: self.logger)
    }

    /// Records produced and not yet committed by the group (`nil` when the positions cannot be read now).
    func uncommitted(ends: [Int32: Int64]) async -> Int64? {
        guard let committed = try? await self.committed(timeout: .seconds(5)) else { return nil }
        return ends.reduce(Int64(0)) { $0 + max(0, $1.value - (committed[$1.key] ?? 0)) }
    }

    /// Waits until the group's committed positions reach `ends`, calling `tick` about every second.
    /// - Returns: Whether they did within `timeout`.
    func waitForCommitted(ends: [Int32: Int64], timeout: TimeInterval, tick: () async throws -> Void) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try await tick()
            if await self.uncommitted(ends: ends) == 0 { return true }
            try await Task.sleep(for: .seconds(1))
        }
        return false
    }

    /// Reads everything back and audits the run.
    func audit(produced: Int) async throws -> AuditReport {
        let snapshot = try await TopicSnapshot.read(
            kafka: self.kafka, topics: self.topics, expectedInput: produced, settle: .seconds(5), timeout: .seconds(900), logger: self.logger)
        return AuditReport(snapshot: snapshot, startCalls: self.simulator.startCalls, committed: try await self.committed(), topics: self.topics)
    }

    /// Stops the simulator and the broker.
    func shutdown() async {
        try? await self.simulator.shutdown()
        self.broker.stop()
    }
}

/// A worker process of a run.
struct RigWorker: Sendable {
    /// `w1`, `w2`, …
    let name: String
    let child: WorkerChild
    /// `127.0.0.1:PORT` of its /metrics.
    let metricsAddress: String
    let logPath: String
    let startedAt: Date
}

/// Partition counts that keep every record of a run: librdkafka's mock cluster keeps only about 5 MiB per partition
/// and drops the oldest records beyond (see `MockRetention` in kafka-bench); 2 MiB per partition is planned for.
struct TopicSizes {
    let input: Int
    let output: Int
    let deadLetter: Int

    init(requests: Int, malformedEvery: Int, inputPartitions: Int) {
        let budget = 2 << 20
        let malformed = malformedEvery > 0 ? requests / malformedEvery : 0
        // One malformed kind in ten is a record over the 64 KiB limit, copied whole to the dead-letter topic.
        let oversized = malformed / 10 * 66_000
        func partitions(_ bytes: Int) -> Int { (bytes + budget - 1) / budget }
        self.input = max(inputPartitions, partitions(requests * 400 + oversized))
        self.output = max(3, partitions(requests * 1_300))
        self.deadLetter = max(1, partitions(malformed * 1_000 + oversized))
    }
}
