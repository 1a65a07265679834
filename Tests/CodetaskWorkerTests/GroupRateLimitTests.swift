import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
/// Issue 23: `--rate-limit` shared by the consumer group, counted by the simulator across every member.
@Suite("A rate limit for the whole group", .serialized)
struct GroupRateLimitTests {
    private static let rate = 30.0
    private static let window = 5.0

    /// CI: the mock cluster, a short backlog and a scale-out; the full profile: both brokers, 3,000 requests, a
    /// scale-out and a graceful stop of one member.
    static let brokers: [BrokerKind] = TestProfile.isFull ? BrokerKind.allCases : [.mock]

    @Test("3 members at --rate-limit 30: every 5 s window within 30/s + 10 %, at least 30/s - 15 % away from rebalances",
          arguments: Self.brokers)
    func groupScope(kind: BrokerKind) async throws {
        announce("groupRateLimit", kind)
        let requests = TestProfile.isFull ? 3_000 : 900
        let scaleOutAt = TestProfile.isFull ? 25.0 : 5.0
        let stopAt: Double? = TestProfile.isFull ? 55.0 : nil
        try await WorkerHarness.with(kind) { harness in
            let launch = {
                try WorkerProcess.launch(harness, maxInFlight: 8, arguments: ["--rate-limit", "\(Int(Self.rate))", "--log-level", "info"])
            }
            var workers = try (0..<3).map { _ in try launch() }
            defer { workers.forEach { $0.kill(SIGKILL) } }
            try await Self.waitForGroup(workers)
            let produced = try await harness.produce(Self.keyedBacklog(requests))
            let began = try await Self.firstCall(harness)
            var changes: [Double] = []
            try await Self.sleep(until: began + scaleOutAt)
            workers.append(try launch())
            changes.append(scaleOutAt)
            if let stopAt {
                try await Self.sleep(until: began + stopAt)
                workers[0].kill(SIGTERM)
                changes.append(stopAt)
            }
            let audit = try await harness.audit(produced.keys, timeout: .seconds(Int64(Double(requests) / Self.rate * 2 + 60)))
            let times = harness.simulator.startCalls.calls.map { $0.receivedAt.timeIntervalSince(began) }.sorted()
            // While backlog remains on every partition: records spread over the partitions unevenly, so the first
            // partitions run dry before the last; the windows judged end before 80 % of the calls were made.
            let rebalances = workers.flatMap { Self.rebalanceCallbacks(of: $0) }.map { $0.timeIntervalSince(began) }
            let unsettled = Self.unsettledSpans(after: changes, callbacks: rebalances)
            let report = Self.windows(times, until: times[times.count * 8 / 10], unsettled: unsettled)
            print("[worker-tests] groupRateLimit on \(kind): \(times.count) Start calls in \(String(format: "%.1f", times.last ?? 0)) s; "
                  + "per 5 s window (calls/s): \(report.map { String(format: "%.1f%@", $0.rate, $0.nearChange ? "*" : "") }.joined(separator: " ")) "
                  + "(* overlaps a membership change until its rebalance settled: "
                  + "\(unsettled.map { String(format: "%.1f-%.1f s", $0.lowerBound, $0.upperBound) }.joined(separator: ", ")))")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(report.count >= 3, "too few full windows to judge")
            // A rebalance that never settles hides nothing: two settled windows at least are judged.
            #expect(report.count { !$0.nearChange } >= 2, "too few windows away from rebalances")
            for window in report {
                #expect(window.rate <= Self.rate * 1.1, "window at \(window.start) s: \(window.rate)/s")
                if !window.nearChange { #expect(window.rate >= Self.rate * 0.85, "window at \(window.start) s: \(window.rate)/s") }
            }
        }
    }

    @Test("--rate-limit-scope member: three members send about three times the budget", arguments: Self.brokers)
    func memberScope(kind: BrokerKind) async throws {
        announce("memberRateLimit", kind)
        try await WorkerHarness.with(kind) { harness in
            let workers = try (0..<3).map { _ in
                try WorkerProcess.launch(
                    harness, maxInFlight: 8, arguments: ["--rate-limit", "\(Int(Self.rate))", "--rate-limit-scope", "member", "--log-level", "info"])
            }
            defer { workers.forEach { $0.kill(SIGKILL) } }
            try await Self.waitForGroup(workers)
            let produced = try await harness.produce(Self.keyedBacklog(900))
            let audit = try await harness.audit(produced.keys)
            let times = harness.simulator.startCalls.calls.map(\.receivedAt).sorted()
            // The steady middle: from the 10th percentile call to the 90th.
            let (from, to) = (times[times.count / 10], times[times.count * 9 / 10])
            let rate = Double(times.count * 8 / 10) / to.timeIntervalSince(from)
            print("[worker-tests] memberRateLimit on \(kind): \(String(format: "%.1f", rate)) Start calls/s with 3 members at --rate-limit 30")
            #expect(audit.lost.isEmpty)
            #expect(rate >= Self.rate * 2.5 && rate <= Self.rate * 3.3, "\(rate)/s")
        }
    }

    /// Waits until the members together own every input partition, each some (from their info logs).
    private static func waitForGroup(_ workers: [WorkerProcess]) async throws {
        let formed = await WorkerHarness.eventually(timeout: .seconds(90)) {
            let owned = workers.map { Self.owned(by: $0).count }
            return owned.allSatisfy { $0 > 0 } && owned.reduce(0, +) == WorkerHarness.inputPartitions
        }
        try #require(formed, "the group did not form within 90 s: \(workers.map { Self.owned(by: $0).sorted() })")
    }

    /// The partitions a worker owns now, replayed from its log: assignments add (the cooperative protocol adds
    /// increments), revocations and losses remove.
    private static func owned(by worker: WorkerProcess) -> Set<String> {
        var owned: Set<String> = []
        for line in worker.log().split(separator: "\n") {
            guard let open = line.range(of: #""partitions":"["#), let close = line.range(of: "]", range: open.upperBound..<line.endIndex)
            else { continue }
            let partitions = line[open.upperBound..<close.lowerBound].components(separatedBy: ", ").filter { !$0.isEmpty }
            if line.contains(#""message":"Partitions assigned""#) {
                owned.formUnion(partitions)
            } else if line.contains(#""message":"Partitions being revoked""#) || line.contains(#""message":"Partitions lost"#) {
                owned.subtract(partitions)
            }
        }
        return owned
    }

    /// `count` requests keyed by their code task ids, so the partitioner spreads them evenly (a member's share
    /// follows its partitions, not its backlog: unkeyed records, batched onto few partitions, would leave the
    /// group below its budget while those few drain).
    private static func keyedBacklog(_ count: Int) -> [SampleRecord] {
        (0..<count).map { index in
            var sample = SampleRequests.valid(index: index, codeTaskId: "ct-\(index)")
            sample.key = "ct-\(index)"
            return sample
        }
    }

    /// When the first Start call reached the simulator.
    private static func firstCall(_ harness: WorkerHarness) async throws -> Date {
        let found = await WorkerHarness.eventually(timeout: .seconds(60)) { !harness.simulator.startCalls.calls.isEmpty }
        try #require(found, "no Start call within 60 s")
        return harness.simulator.startCalls.calls.map(\.receivedAt).min()!
    }

    private static func sleep(until date: Date) async throws {
        let left = date.timeIntervalSinceNow
        if left > 0 { try await Task.sleep(for: .milliseconds(Int(left * 1000))) }
    }

    /// When the worker's rebalance callbacks ran (assigned, revoked, lost), from its log's UTC timestamps.
    private static func rebalanceCallbacks(of worker: WorkerProcess) -> [Date] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS"
        let callbacks = [#""message":"Partitions assigned""#, #""message":"Partitions being revoked""#, #""message":"Partitions lost"#]
        return worker.log().split(separator: "\n").compactMap { line in
            guard callbacks.contains(where: { line.contains($0) }), let open = line.range(of: #""time":""#) else { return nil }
            return formatter.date(from: String(line[open.upperBound...].prefix(23)))
        }
    }

    /// From each membership change until its rebalance settled: 2 s after the last callback any member ran
    /// within 60 s of the change, and at least 15 s. The mock cluster holds each join phase about 5 s and a
    /// cooperative scale-out takes two or three of them, during which librdkafka fetches nothing.
    private static func unsettledSpans(after changes: [Double], callbacks: [Double]) -> [ClosedRange<Double>] {
        changes.map { change in
            let last = callbacks.filter { $0 >= change && $0 <= change + 60 }.max() ?? change
            return change...max(change + 15, last + 2)
        }
    }

    /// Full 5 s windows from the first call that end by `until`, with their rate and whether they overlap a
    /// span in which the group was rebalancing (may dip).
    private static func windows(_ times: [Double], until: Double, unsettled: [ClosedRange<Double>]) -> [(start: Double, rate: Double, nearChange: Bool)] {
        var result: [(Double, Double, Bool)] = []
        var start = 0.0
        while start + Self.window <= until {
            let end = start + Self.window
            let count = times.count { $0 >= start && $0 < end }
            let near = unsettled.contains { $0.lowerBound < end && $0.upperBound > start }
            result.append((start, Double(count) / Self.window, near))
            start = end
        }
        return result
    }
}
}
