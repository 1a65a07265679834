import CodetaskDemo
import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("The worker end to end", .serialized)
struct ProcessingTests {
    @Test("1,000 valid requests: 1,000 started events with the simulator's job ids, each task started once, all committed",
          arguments: BrokerKind.allCases)
    func thousandValid(kind: BrokerKind) async throws {
        announce("thousandValid", kind)
        try await WorkerHarness.with(kind) { harness in
            let samples = (0..<1000).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") }
            let produced = try await harness.produce(samples)
            let running = try harness.startWorker()
            let audit = try await harness.audit(produced.keys)
            try await running.stop()

            #expect(audit.lost.isEmpty, "lost \(audit.lost.count), e.g. \(audit.lost.prefix(5))")
            #expect(audit.startedCount == 1000)
            #expect(audit.duplicateCount == 0)
            let jobIds = Dictionary(
                harness.simulator.startCalls.calls.compactMap { call in call.jobId.map { (call.codeTaskId ?? "", $0) } }
            ) { first, _ in first }
            let mismatched = produced.keys.filter { source in
                guard let entry = audit.entries[source], let id = entry.codeTaskId else { return true }
                return entry.jobIds != [jobIds[id]].compactMap { $0 }
            }
            #expect(mismatched.isEmpty, "events whose job id is not the simulator's: \(mismatched.count)")
            #expect(harness.simulator.startCalls.duplicateStarts.isEmpty)
            #expect(Set(harness.simulator.startCalls.startedOrder).count == 1000)
            #expect(try await harness.committedPositions() == WorkerHarness.endPositions(produced.keys))
            #expect(running.worker.statistics.started == 1000)
        }
    }

    @Test("mixed outcomes: permanent, retriable then success, 429 with Retry-After, exhausted retries, deadline",
          arguments: BrokerKind.allCases)
    func mixedOutcomes(kind: BrokerKind) async throws {
        announce("mixedOutcomes", kind)
        try await WorkerHarness.with(kind, simulator: { configuration in
            configuration.taskRules = [
                TaskRule(id: "perm-1", status: 400),
                TaskRule(id: "flaky-1", status: 503, times: 2),
                TaskRule(id: "busy-1", status: 429, times: 1, retryAfterSeconds: 1),
                TaskRule(id: "down-1", status: 503),
                TaskRule(id: "late-1", status: 503, retryAfterSeconds: 30),
            ]
        }) { harness in
            let ids = ["perm-1", "flaky-1", "busy-1", "down-1", "late-1", "fine-1"]
            let produced = try await harness.produce(ids.enumerated().map { SampleRequests.valid(index: $0.offset, codeTaskId: $0.element) })
            let running = try harness.startWorker { configuration in
                configuration.informatica.retry.maxAttempts = 3
                configuration.informatica.retry.deadline = .seconds(5)
                configuration.informatica.circuitBreaker.failureThreshold = 100
            }
            let audit = try await harness.audit(produced.keys)
            try await running.stop()
            #expect(audit.lost.isEmpty)
            let byTask = Dictionary(uniqueKeysWithValues: audit.entries.values.compactMap { entry in entry.codeTaskId.map { ($0, entry) } })
            #expect(byTask["perm-1"]?.errorCategories == ["rejected"])
            #expect(byTask["flaky-1"]?.isStarted == true)
            #expect(byTask["busy-1"]?.isStarted == true)
            #expect(byTask["down-1"]?.errorCategories == ["retries_exhausted"])
            #expect(byTask["late-1"]?.errorCategories == ["deadline_exceeded"])
            #expect(byTask["fine-1"]?.isStarted == true)
            let calls = harness.simulator.startCalls
            #expect(calls.count(for: "perm-1") == 1, "permanent errors are not retried")
            #expect(calls.count(for: "flaky-1") == 3)
            #expect(calls.count(for: "busy-1") == 2)
            #expect(calls.count(for: "down-1") == 3)
            #expect(calls.count(for: "late-1") == 1, "a Retry-After past the deadline ends the request at once")
            let busy = calls.calls.filter { $0.codeTaskId == "busy-1" }.map(\.receivedAt)
            #expect(busy.count == 2 && busy[1].timeIntervalSince(busy[0]) >= 0.95, "Retry-After: 1 is honoured")
        }
    }

    @Test("1,000 malformed records among 1,000 valid ones: each dead-lettered unchanged with its reason, the rest processed",
          arguments: BrokerKind.allCases)
    func malformedInterleaved(kind: BrokerKind) async throws {
        announce("malformedInterleaved", kind)
        try await WorkerHarness.with(kind) { harness in
            // Oversized records of 8 KiB + 1: librdkafka's mock cluster trims a partition's log beyond a few
            // MiB, which 100 copies of 64 KiB records in one dead-letter partition would exceed.
            let maxRecordBytes = 8 * 1024
            let samples = SampleRequests.mix(count: 2000, malformedEvery: 2, maxRecordBytes: maxRecordBytes)
            #expect(samples.filter(\.isMalformed).count == 1000)
            let produced = try await harness.produce(samples)
            let running = try harness.startWorker { $0.limits.maxRecordBytes = maxRecordBytes }
            let audit = try await harness.audit(produced.keys)
            #expect(running.worker.statistics.received == 2000)
            try await running.stop()
            print("[worker-tests] malformedInterleaved on \(kind): \(running.worker.statistics)")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count), e.g. \(audit.lost.prefix(5))")
            var wrong: [String] = []
            for (source, sample) in produced {
                let entry = audit.entries[source]
                switch sample.expectation {
                case .deadLetter(let reason):
                    let copy = entry?.deadLetterCopies.first
                    if entry?.deadLetterReasons != [reason] || copy?.value != sample.value || copy?.keyString != sample.key {
                        wrong.append("\(source): expected \(reason), got \(entry?.deadLetterReasons ?? [])")
                    }
                    if reason == "invalid_context", entry?.errorCategories != ["invalid_request"] {
                        wrong.append("\(source): no failed event for a readable code task id")
                    }
                case .start:
                    if entry?.isStarted != true { wrong.append("\(source): valid request not started") }
                }
            }
            #expect(wrong.isEmpty, "\(wrong.count) wrong, e.g. \(wrong.prefix(5))")
            #expect(audit.deadLetteredCount == 1000)
            #expect(audit.startedCount == 1000)
        }
    }
}
}

func announce(_ test: String, _ kind: BrokerKind) {
    print("[worker-tests] \(test) on \(kind)")
}

extension WorkerIntegration {
@Suite("Secrets")
struct SecretTests {
    @Test("mock only: the worker's log at trace level and its events contain no password and no session id, across a re-login")
    func noSecrets() async throws {
        announce("noSecrets", .mock)
        let capture = LogCapture()
        try await WorkerHarness.with(.mock) { harness in
            let first = try await harness.produce((0..<50).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let running = try harness.startWorker(logger: capture.logger("worker"))
            #expect(await WorkerHarness.eventually { running.worker.statistics.started == 50 })
            harness.simulator.expireAllSessions()
            let second = try await harness.produce((50..<100).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let audit = try await harness.audit(Array(first.keys) + Array(second.keys))
            try await running.stop()
            #expect(audit.startedCount == 100)
            #expect(harness.simulator.stats.logins >= 2, "the expired session should have caused a new login")
            let secrets = [harness.simulator.configuration.password] + harness.simulator.issuedSessionIds
            #expect(capture.count > 0)
            #expect(!capture.containsAny(of: secrets), "a secret appeared in the worker's log")
            let events = audit.entries.values.compactMap(\.lastEventJSON).joined(separator: "\n")
            #expect(!secrets.contains { events.contains($0) }, "a secret appeared in an event")
        }
    }
}
}

extension WorkerIntegration {
@Suite("Start-up checks")
struct StartUpTests {
    // On Tansu: librdkafka's mock cluster does not serve CreateTopics.
    @Test("Tansu: missing topics stop start-up with an error naming them; --create-topics creates them")
    func missingTopics() async throws {
        announce("missingTopics", .tansu)
        try await WorkerHarness.with(.tansu) { harness in
            let missing = uniqueName("absent-output")
            let worker = try Worker(
                configuration: harness.configuration { $0.topics.output = missing }, logger: harness.logger)
            await #expect(throws: WorkerError.missingTopics([missing])) { try await worker.run() }

            let creating = try harness.startWorker { configuration in
                configuration.topics.output = missing
                configuration.createMissingTopics = true
            }
            let produced = try await harness.produce([SampleRequests.valid(index: 0, codeTaskId: "ct-0")])
            var topics = harness.topics
            topics.output = missing
            let audit = try await OutputAudit.read(
                kafka: harness.broker.clientConfiguration(), topics: topics, expected: Set(produced.keys), timeout: .seconds(60),
                logger: harness.logger)
            try await creating.stop()
            #expect(audit.startedCount == 1)
        }
    }
}
}
