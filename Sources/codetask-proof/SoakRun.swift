import CodetaskDemo
import Foundation
import Logging
import ProofSupport

/// One soak: workers at a steady input rate, sampled every few seconds, then drained, stopped and audited.
struct SoakRun {
    let command: SoakCommand
    let logger: Logger

    /// One sample of one worker.
    struct Sample {
        var seconds: Double
        var residentMiB: Double
    }

    /// Runs the soak and prints samples, memory growth, the audit and the verdict.
    /// - Returns: Whether every target held.
    func run() async throws -> Bool {
        let total = Int(self.command.rate * self.command.duration)
        let rig = try await ProofRig(
            options: self.command.rig, requests: total, baseArguments: ["--max-in-flight", "\(self.command.maxInFlight)"], logger: self.logger)
        emit("soak: \(total) requests at \(self.command.rate)/s for \(Int(self.command.duration)) s, \(self.command.workers) "
            + "worker(s), broker \(self.command.rig.broker), \(rig.inputPartitions) input partitions; logs in \(rig.logDirectory)")
        let producer = RateProducer(total: total, rate: self.command.rate, malformedEvery: self.command.rig.malformedEvery)
        let kafkaProducer = try rig.broker.makeProducer { $0.messageTimeout = .seconds(300) }
        let workers = try (1...self.command.workers).map { try rig.launchWorker("w\($0)") }
        emit("soak: the group \(try await rig.waitForGroup(workers) ? "formed" : "did NOT form within 120 s") before the first request")
        let start = Date()
        let producing = Task { await producer.run(producer: kafkaProducer, topic: rig.topics.input) }
        var samples: [String: [Sample]] = [:]
        var crashed: [String] = []
        var nextSample = 0.0
        while producer.sent < total && producer.failure == nil {
            let seconds = Date().timeIntervalSince(start)
            if seconds >= nextSample {
                nextSample += self.command.sampleEvery
                crashed += await self.sample(workers, rig: rig, producer: producer, at: seconds, into: &samples)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await producing.value
        await kafkaProducer.close(timeout: .seconds(30))
        let drained = try await rig.waitForCommitted(ends: producer.ends, timeout: self.command.drainTimeout) {}
        var stopsClean = true
        for worker in workers { stopsClean = await worker.child.stop(timeout: .seconds(40)) && stopsClean }
        let audit = try await rig.audit(produced: producer.sent)
        await rig.shutdown()
        audit.lines.forEach(emit)
        var targets: [(String, Bool)] = [
            ("every request produced (\(producer.sent) of \(total)) and read back by the auditor (\(audit.inputRecords))",
             producer.failure == nil && producer.sent == total && audit.inputRecords == total),
            ("lost = 0 (\(audit.lost.count)), every partition read from offset 0", audit.isLossFree),
            ("everything committed after the run", drained),
            ("no crash, every stop exit 0\(crashed.isEmpty ? "" : " (crashed: \(Set(crashed).sorted().joined(separator: ", ")))")",
             crashed.isEmpty && stopsClean),
        ]
        for worker in workers {
            let growth = Self.growth(samples[worker.name] ?? [], duration: self.command.duration)
            let text = growth.map { String(format: "%.1f MiB → %.1f MiB, %+.1f %%", $0.first, $0.last, $0.percent) } ?? "too few samples"
            targets.append(("\(worker.name) memory growth first → last quarter < \(self.command.maxGrowth) % (\(text))",
                            growth.map { $0.percent < self.command.maxGrowth } ?? false))
        }
        for (name, held) in targets { emit("soak: target \(held ? "met" : "MISSED"): \(name)") }
        let passed = targets.allSatisfy(\.1)
        emit("soak: \(passed ? "PASSED" : "FAILED")")
        return passed
    }

    /// Samples every worker; returns the names of those that are no longer running.
    private func sample(
        _ workers: [RigWorker], rig: ProofRig, producer: RateProducer, at seconds: Double, into samples: inout [String: [Sample]]
    ) async -> [String] {
        var line = String(format: "soak: t=%5.0fs produced=%d", seconds, producer.sent)
        if let lag = await rig.uncommitted(ends: producer.ends) { line += " lag=\(lag)" }
        var crashed: [String] = []
        for worker in workers {
            guard let process = ProcessSample.read(pid: worker.child.pid), worker.child.isRunning else {
                crashed.append(worker.name)
                line += " \(worker.name)=ENDED(\(worker.child.ending))"
                continue
            }
            samples[worker.name, default: []].append(Sample(seconds: seconds, residentMiB: process.residentMemoryMiB))
            let scrape = try? await MetricsScrape.fetch(address: worker.metricsAddress)
            let oldest = scrape?.sum("codetask_worker_oldest_unfinished_record_age_seconds")
            line += String(format: " %@: rss=%.1fMiB cpu=%.1fs oldest=%@s", worker.name, process.residentMemoryMiB, process.cpuSeconds,
                           oldest.map { String(format: "%.2f", $0) } ?? "?")
        }
        emit(line)
        return crashed
    }

    /// Mean resident memory of the first and the last quarter of the run, and the growth between them.
    static func growth(_ samples: [Sample], duration: Double) -> (first: Double, last: Double, percent: Double)? {
        let first = samples.filter { $0.seconds <= duration / 4 }.map(\.residentMiB)
        let last = samples.filter { $0.seconds >= duration * 3 / 4 }.map(\.residentMiB)
        guard !first.isEmpty, !last.isEmpty else { return nil }
        let (a, b) = (first.reduce(0, +) / Double(first.count), last.reduce(0, +) / Double(last.count))
        return (a, b, (b / a - 1) * 100)
    }
}
