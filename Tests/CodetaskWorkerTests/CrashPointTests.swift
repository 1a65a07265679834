import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
/// Issue 22: a worker killed (`kill -9`, by the debug build's crash seam) at each point of a request's life, then a
/// new worker: Start calls per code task and outcomes per request, for each in-doubt policy.
@Suite("Kill points: what each leaves behind, per in-doubt policy", .serialized)
struct CrashPointTests {
    /// One job at a time: exactly one request is at the kill point when the worker dies. One in flight is not
    /// enough for that (a job's slot is freed at its answer, and the next record's Start may then begin while it
    /// stores and publishes the outcome): the requests share one ordering key, which a job holds until it ends.
    private static let requests = 12
    /// The job whose arrival at the point kills the worker (counted from 1).
    private static let victim = 4

    /// CI runs the two points on either side of the answered close on the mock cluster; the full profile every
    /// point on both brokers (docs/testing.md).
    static let cases: [(BrokerKind, CrashPoint, String)] = {
        let points: [CrashPoint] = TestProfile.isFull ? CrashPoint.allCases : [.afterAnswer, .afterClose]
        let brokers: [BrokerKind] = TestProfile.isFull ? BrokerKind.allCases : [.mock]
        return brokers.flatMap { broker in points.flatMap { point in ["retry", "fail"].map { (broker, point, $0) } } }
    }()

    @Test("kill -9 at a point: no code task started twice but where the answer died with the worker; one outcome per request",
          arguments: Self.cases)
    func killAtPoint(kind: BrokerKind, point: CrashPoint, policy: String) async throws {
        announce("crash point \(point) \(policy)", kind)
        try await WorkerHarness.with(kind) { harness in
            let produced = try await harness.produce((0..<Self.requests).map { index in
                var sample = SampleRequests.valid(index: index, codeTaskId: "ct-\(index)")
                sample.key = "one-ordering-key"
                return sample
            })
            let first = try WorkerProcess.launch(
                harness, maxInFlight: 1, arguments: ["--in-doubt", policy],
                environment: ["CODETASK_TEST_CRASH_POINT": "\(point.rawValue):\(Self.victim)"])
            defer { first.kill(SIGKILL) }
            _ = first.waitForExit(timeout: 90)
            let crashed = first.log().contains("test crash point \(point.rawValue) reached")
            try #require(crashed, "the worker did not reach \(point) \(Self.victim) times: \(first.logTail())")
            // The dead member's attempts are not waited for long (--rebalance-drain bounds the settle wait).
            let second = try WorkerProcess.launch(harness, maxInFlight: 1, arguments: ["--in-doubt", policy, "--rebalance-drain", "2"])
            defer { second.kill(SIGKILL) }
            let audit = try await harness.audit(produced.keys)
            try await Task.sleep(for: .seconds(1))    // a second event of a request, should one come
            second.kill(SIGTERM)
            #expect(second.waitForExit() == 0, "\(second.logTail())")
            let calls = harness.simulator.startCalls
            let statistics = second.log().split(separator: "\n").last { $0.contains("Worker stopped") } ?? ""
            var callsPerTask: [Int: Int] = [:]
            var inDoubt = 0, flagged = 0
            for (source, sample) in produced {
                guard case .start(let codeTaskId) = sample.expectation else { continue }
                let entry = audit.entries[source]
                let count = calls.count(for: codeTaskId)
                callsPerTask[count, default: 0] += 1
                #expect(Set(entry?.eventIds ?? []).count == 1, "\(source): events \(entry?.eventIds ?? []): one outcome, perhaps twice")
                if entry?.errorCategories == ["in_doubt"] { inDoubt += 1 }
                if entry?.startedFlaggedPossibleDuplicate == true { flagged += 1 }
            }
            print("[worker-tests] crash point \(point) \(policy) on \(kind): Start calls per task \(callsPerTask.sorted { $0.key < $1.key }), "
                  + "in_doubt=\(inDoubt) possibleDuplicate=\(flagged) lost=\(audit.lost.count); second worker: \(statistics)")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            let expected = Self.expectation(point, policy)
            #expect(callsPerTask == expected.callsPerTask, "Start calls per code task")
            #expect(inDoubt == expected.inDoubt, "requests failed in_doubt")
            #expect(flagged == expected.flagged, "started events flagged possibleDuplicate")
            if point == .afterClose || point == .afterEvent {
                #expect(statistics.contains("republished=") && !statistics.contains("republished=0"), "the stored outcome was not published again")
            }
        }
    }

    /// What a kill at `point` must leave under `policy`: how many code tasks got 0, 1 or 2 Start calls, how many
    /// requests failed `in_doubt`, how many started events say `possibleDuplicate`.
    private static func expectation(_ point: CrashPoint, _ policy: String) -> (callsPerTask: [Int: Int], inDoubt: Int, flagged: Int) {
        let all = Self.requests
        switch (point, policy) {
        // The attempt was recorded, no request sent: the journal cannot tell, so the record is in doubt.
        case (.afterAttempt, "fail"): return ([0: 1, 1: all - 1], 1, 0)
        case (.afterAttempt, _): return ([1: all], 0, 1)
        // The answer died with the worker: the one window no client can close. Said so, never hidden.
        case (.afterAnswer, "fail"): return ([1: all], 1, 0)
        case (.afterAnswer, _): return ([1: all - 1, 2: 1], 0, 1)
        // The outcome was stored in the journal: the next owner publishes it again and starts nothing.
        case (.afterClose, _), (.afterEvent, _): return ([1: all], 0, 0)
        }
    }
}
}
