import CodetaskDemo
import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
/// Issue 10, part 3: the worker fed adversarial records mixed with valid ones (``AdversarialRecords``).
/// `CODETASK_FUZZ_RECORDS` sets the count (default 1,500, the short profile; the full run is 10,000) and
/// `CODETASK_FUZZ_SEED` the seed.
@Suite("Adversarial input", .timeLimit(.minutes(30)))
struct AdversarialInputTests {
    static let recordCount = ProcessInfo.processInfo.environment["CODETASK_FUZZ_RECORDS"].flatMap { Int($0) } ?? 1_500
    static let seed = ProcessInfo.processInfo.environment["CODETASK_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_201

    @Test("""
        mock: adversarial records among valid ones, in two halves to one worker process: each malformed one \
        dead-lettered with its reason and copied unchanged or shortened as specified, each valid one exactly one \
        terminal event, nothing lost, the worker still running, its resident memory flat from one half to the next
        """)
    func adversarialMix() async throws {
        announce("adversarialMix \(Self.recordCount) records, seed \(Self.seed)", .mock)
        let generator = AdversarialRecords()
        let samples = generator.generate(count: Self.recordCount, seed: Self.seed)
        let halves = [Array(samples.prefix(samples.count / 2)), Array(samples.dropFirst(samples.count / 2))]
        // Six dead-letter partitions: the mock cluster keeps a few MiB per partition, and the large copies add up.
        try await WorkerHarness.with(.mock, deadLetterPartitions: 6) { harness in
            let check = AdversarialOutcomeCheck(maxPublishBytes: harness.configuration().maxPublishBytes)
            let worker = try WorkerProcess.launch(harness, maxInFlight: 32)
            defer { worker.kill(SIGKILL) }
            try await Task.sleep(for: .seconds(2))
            var memory = [try #require(ProcessSample.read(pid: worker.pid), "the worker process ended: \(worker.logTail())")]
            var outcomes = AdversarialTally()
            for half in halves {
                let began = ContinuousClock.now
                let produced = try await harness.produce(half, maxMessageBytes: generator.producerMaxMessageBytes)
                let audit = try await harness.audit(produced.keys, timeout: .seconds(300))
                try #require(worker.isRunning, "the worker process ended: \(worker.logTail())")
                memory.append(try #require(ProcessSample.read(pid: worker.pid)))
                for (source, sample) in produced {
                    outcomes.add(sample, audit.entries[source], problems: check.problems(sample, audit.entries[source]), at: source)
                }
                #expect(audit.duplicateCount == 0, "\(audit.duplicateCount) events or dead letters read twice")
                print("[worker-tests] adversarialMix half of \(half.count): \(ContinuousClock.now - began), worker \(memory.last!)")
            }
            worker.kill(SIGTERM)
            let status = worker.waitForExit(timeout: 60)
            print("[worker-tests] adversarialMix: \(outcomes.summary); resident memory idle, after each half "
                + "\(memory.map { String(format: "%.1f MiB", $0.residentMemoryMiB) }), peak \(String(format: "%.1f MiB", memory.last!.peakMemoryMiB))")
            #expect(outcomes.records == Self.recordCount)
            #expect(outcomes.problems.isEmpty, "\(outcomes.problems.count) records breach the contract, e.g. \(outcomes.problems.prefix(8))")
            #expect(outcomes.lost == 0)
            #expect(outcomes.shortenedCopies >= 2, "the two 1 MB records per 5,000 must be dead-lettered shortened")
            #expect(outcomes.deadLettered == samples.filter(\.isMalformed).count)
            #expect(outcomes.terminalEvents == samples.count - samples.filter(\.isMalformed).count)
            let reasons = Set(samples.compactMap { sample -> String? in
                if case .deadLetter(let reason) = sample.expectation { return reason } else { return nil }
            })
            #expect(reasons.count == 11, "the mix covers every input reason: \(reasons.sorted())")
            #expect(Set(outcomes.deadLetteredByReason.keys) == reasons)
            // Flat: the second half, the same mix again, may not grow the worker by more than a quarter plus 16 MiB.
            #expect(memory[2].residentMemoryMiB <= memory[1].residentMemoryMiB * 1.25 + 16, "resident memory grew: \(memory)")
            #expect(status == 0, "SIGTERM after the run: exit status \(status): \(worker.logTail())")
        }
    }
}
}

/// The outcomes of an adversarial run, counted.
struct AdversarialTally {
    var records = 0
    var lost = 0
    var terminalEvents = 0
    var started = 0
    var shortenedCopies = 0
    var failedCategories: [String: Int] = [:]
    var failedExamples: [String] = []
    var deadLettered = 0
    var deadLetteredByReason: [String: Int] = [:]
    var problems: [String] = []

    mutating func add(_ sample: SampleRecord, _ entry: OutputAudit.Entry?, problems: [String], at source: RecordSource) {
        self.records += 1
        if entry == nil { self.lost += 1 }
        if let entry, !sample.isMalformed, entry.isStarted || entry.isFailed { self.terminalEvents += 1 }
        if let entry, !sample.isMalformed, entry.isStarted { self.started += 1 }
        if let entry, !sample.isMalformed, entry.isFailed {
            self.failedCategories["\(entry.errorCategories)", default: 0] += 1
            if self.failedExamples.count < 3 { self.failedExamples.append("\(sample.expectation) \(entry.lastEventJSON ?? "")".prefix(200).description) }
        }
        let shortened = entry?.deadLetterCopies.filter { $0.headers.last(named: DeadLetterHeader.truncated) == "true" } ?? []
        self.shortenedCopies += shortened.count
        for reason in entry?.deadLetterReasons ?? [] {
            self.deadLettered += 1
            self.deadLetteredByReason[reason, default: 0] += 1
        }
        self.problems += problems.map { "\(source) (\(sample.expectation)): \($0)" }
    }

    var summary: String {
        let reasons = self.deadLetteredByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "records=\(self.records) terminal-events=\(self.terminalEvents) (started=\(self.started)) "
            + "dead-lettered=\(self.deadLettered) (\(reasons); shortened=\(self.shortenedCopies)) lost=\(self.lost) "
            + "problems=\(self.problems.count); valid but failed: \(self.failedCategories) e.g. \(self.failedExamples)"
    }
}
