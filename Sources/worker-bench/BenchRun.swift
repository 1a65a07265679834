import CodetaskDemo
import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import Logging
import ProofSupport

/// One profile: a fresh mock cluster and simulator, the requests produced first, then the worker started and
/// watched through the simulator's count of Start calls.
struct BenchRun {
    let profile: BenchProfile
    let requests: Int
    let keys: Int
    let partitions: Int
    let maxPending: Int?
    let worker: BenchWorker
    /// Settings that win over the profile's (`--setting`).
    var extraSettings: [String: String] = [:]
    let timeout: Duration
    let logger: Logger

    func measure() async throws -> BenchResult {
        let cluster = try KafkaMockCluster(brokers: 1, logger: self.logger)
        let topics = [
            ("bench.requests", self.partitions), ("bench.events", Self.outputPartitions),
            ("bench.dlq", 1), ("bench.journal", self.partitions),
        ]
        for (topic, count) in topics {
            try cluster.createTopic(topic, partitions: count)
        }
        var configuration = SimulatorConfiguration()
        configuration.faults.latency = self.profile.latencyMilliseconds > 0 ? .fixed(milliseconds: self.profile.latencyMilliseconds) : .none
        let simulator = try await InformaticaSimulator.start(configuration, logger: self.logger)
        let sink = self.profile.tracing ? try await TraceSink.start(logger: self.logger) : nil
        defer { withExtendedLifetime(cluster) {} }
        try await self.produce(to: cluster.bootstrapServers)

        let worker = try WorkerChild.launch(
            executable: self.worker.executable, arguments: self.worker.arguments, settings: self.settings(cluster, simulator, sink: sink))
        let deadline = ContinuousClock.now + self.timeout
        func waitFor(_ share: Double) async throws -> (ContinuousClock.Instant, ProcessSample) {
            let target = Int((Double(self.requests) * share).rounded(.up))
            while simulator.stats.startCalls < target {
                guard ContinuousClock.now < deadline, worker.process.isRunning else {
                    _ = await worker.stop(timeout: .seconds(30))
                    throw BenchError("\(self.profile.name): \(simulator.stats.startCalls) of \(target) Start calls before the time limit or the worker's exit")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let sample = ProcessSample.read(pid: worker.pid) else { throw BenchError("cannot read /proc/\(worker.pid)") }
            return (ContinuousClock.now, sample)
        }
        let (start, first) = try await waitFor(0.1)
        let (end, last) = try await waitFor(0.9)
        let (_, final) = try await waitFor(1.0)
        let exitedCleanly = await worker.stop(timeout: .seconds(60))
        let (events, committed) = try await self.left(on: cluster.bootstrapServers)
        try await simulator.shutdown()
        await sink?.stop()
        let window = Double(self.requests) * 0.8
        let seconds = Double((end - start).components.seconds) + Double((end - start).components.attoseconds) / 1e18
        return BenchResult(
            rate: window / seconds, cpuPer10k: (last.cpuSeconds - first.cpuSeconds) / window * 10_000,
            peakMemoryMiB: final.peakMemoryMiB, switchesPerRequest: Double(last.contextSwitches - first.contextSwitches) / window,
            exitedCleanly: exitedCleanly, startCalls: simulator.stats.startCalls, events: events,
            committed: committed)
    }

    /// The events on the output topic (its partitions' end offsets summed) and the group's committed positions on the
    /// input topic (summed), once the worker stopped.
    private func left(on servers: String) async throws -> (events: Int64, committed: Int64) {
        let kafka = Self.client(servers)
        let reader = try KafkaPartitionReader(client: kafka, logger: self.logger)
        var events: Int64 = 0
        for partition in 0..<Int32(Self.outputPartitions) {
            let marks = try await reader.watermarks(of: TopicPartition(topic: "bench.events", partition: partition), timeout: .seconds(10))
            events += marks.high
        }
        let committed = try await AuditSources.committed(
            kafka: kafka, group: "bench", topic: "bench.requests", partitions: 0..<Int32(self.partitions), logger: self.logger)
        return (events, committed.values.reduce(0, +))
    }

    private static let outputPartitions = 3

    private static func client(_ servers: String) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: [servers], clientID: "worker-bench")
    }

    private func produce(to servers: String) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: Self.client(servers)), logger: self.logger)
        // Keyed by code task id, so the ordering keys are exactly the `keys` code tasks.
        let samples = (0..<self.requests).map { index in
            var sample = SampleRequests.valid(index: index, codeTaskId: "ct-\(index % self.keys)")
            sample.key = "ct-\(index % self.keys)"
            return sample
        }
        _ = try await SampleProducer.produce(samples, topic: "bench.requests", with: producer)
        await producer.close(timeout: .seconds(10))
    }

    private func settings(_ cluster: KafkaMockCluster, _ simulator: InformaticaSimulator, sink: TraceSink?) -> [String: String] {
        var settings = WorkerChild.environment(
            brokers: cluster.bootstrapServers, group: "bench",
            topics: WorkerTopics(input: "bench.requests", output: "bench.events", deadLetter: "bench.dlq", journal: "bench.journal"),
            simulator: simulator)
        settings.merge([
            "CODETASK_JOURNAL": self.profile.journal ? "on" : "off",
            "CODETASK_LOG_LEVEL": "warning",
            "CODETASK_HTTP_ADDRESS": self.profile.metrics ? "127.0.0.1:0" : "off",
        ]) { $1 }
        if !self.profile.workerDefaults {
            settings["CODETASK_MAX_IN_FLIGHT"] = "\(self.profile.maxInFlight)"
            settings["CODETASK_MAX_CONNECTIONS"] = "\(self.profile.connections ?? self.profile.maxInFlight)"
        }
        if let maxPending = self.maxPending { settings["CODETASK_MAX_PENDING"] = "\(maxPending)" }
        if let sink { settings["CODETASK_OTLP_ENDPOINT"] = "http://127.0.0.1:\(sink.port)/v1/traces" }
        settings.merge(self.extraSettings) { $1 }
        return settings
    }
}
