import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Health under real faults: brokers taken away, a poll that hangs", .serialized)
struct HealthUnderFaultsTests {
    /// Issue 21 item 1: `/readyz` did not look at Kafka. Now every broker of the mock cluster taken down turns it
    /// failing on `kafka` within 10 s, and it is ready again after they return (nothing lost meanwhile).
    @Test func readinessSeesTheBrokersGoAndComeBack() async throws {
        announce("health readinessSeesTheBrokersGoAndComeBack", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let health = WorkerHealth(unfinishedAgeLimit: .seconds(300))
            let worker = try harness.startWorker(health: health)
            let before = try await harness.produce((0..<6).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            _ = try await harness.audit(before.keys)
            #expect(await WorkerHarness.eventually(timeout: .seconds(30)) { health.readiness().ok }, "\(health.readiness().json)")

            try harness.broker.mock!.setAllBrokersDown()
            let noticed = await Self.timeUntil("kafka", fails: { health.readiness() }, within: .seconds(10))
            print("[worker-tests] health: brokers down noticed after \(String(describing: noticed)): \(health.readiness().json)")
            #expect(noticed != nil, "/readyz still passed kafka 10 s after every broker went down: \(health.readiness().json)")
            #expect(health.liveness().ok, "brokers away do not make the worker dead: \(health.liveness().json)")

            try harness.broker.mock!.setAllBrokersUp()
            let up = ContinuousClock.now
            let ready = await WorkerHarness.eventually(timeout: .seconds(60)) { health.readiness().ok }
            print("[worker-tests] health: ready again \(ContinuousClock.now - up) after the brokers returned")
            #expect(ready, "not ready 60 s after the brokers returned: \(health.readiness().json)")
            let after = try await harness.produce((6..<12).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let audit = try await harness.audit(after.keys)
            #expect(audit.lost.isEmpty && extraStarts(harness.simulator) == 0)
            try await worker.stop()
        }
    }

    /// Issue 21 item 1: `/healthz` watched only the driver's ticks, so a hung consumer poll left it green. A poll
    /// made to hang (the test seam) now turns liveness failing on `poll` once it passes its limit (here 10 s of
    /// stall limit, 1 s of drain and 5 s of revocation commit), and not before; alive again once it returns.
    @Test(arguments: BrokerKind.allCases)
    func livenessSeesAHungPoll(kind: BrokerKind) async throws {
        announce("health livenessSeesAHungPoll", kind)
        try await WorkerHarness.with(kind) { harness in
            let health = WorkerHealth(unfinishedAgeLimit: .seconds(300))
            let running = try harness.startWorker(health: health) { $0.rebalanceDrainTimeout = .seconds(1) }
            let produced = try await harness.produce((0..<6).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            _ = try await harness.audit(produced.keys)
            #expect(running.worker.pollLimit == .seconds(16))
            running.worker.pollsHang.store(true, ordering: .relaxed)
            let noticed = await Self.timeUntil("poll", fails: { health.liveness() }, within: .seconds(30))
            print("[worker-tests] health: hung poll noticed after \(String(describing: noticed)): \(health.liveness().json)")
            #expect(noticed != nil, "/healthz still passed 30 s into a hung poll: \(health.liveness().json)")
            if let noticed { #expect(noticed >= .seconds(15) && noticed <= .seconds(25), "noticed after \(noticed), limit 16 s") }
            running.worker.pollsHang.store(false, ordering: .relaxed)
            #expect(await WorkerHarness.eventually(timeout: .seconds(10)) { health.liveness().ok }, "\(health.liveness().json)")
            try await running.stop()
        }
    }

    /// How long, from now, until the check named `name` of `report` fails; `nil` when it still passes after `within`.
    private static func timeUntil(_ name: String, fails report: () -> HealthReport, within: Duration) async -> Duration? {
        let began = ContinuousClock.now
        let failed = await WorkerHarness.eventually(timeout: within) { report().checks.first { $0.name == name }?.ok == false }
        return failed ? ContinuousClock.now - began : nil
    }
}
}
