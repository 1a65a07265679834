import Foundation
import InformaticaSimulator
import Kafka
import Testing

@testable import CodetaskWorker

/// Random event sequences against the worker core, with a model of Kafka's group (assignment, revocation,
/// loss, committed positions) and of the jobs. Safety (the reference rules in ``CoreWorld``) and liveness (no
/// key with queued work is forgotten) are checked after every step; at the end the world quiesces (jobs end,
/// commits go through, the fetcher reaches the end) and every record of an owned partition must be finished
/// and committed, then the stop must end within its bound.
@Suite("The worker core state machine: randomized sequences", .serialized)
struct WorkerCoreRandomTests {
    /// Seeds per test case; `CODETASK_CORE_SEEDS` sets the total (20,000 by default, as CI runs it).
    static let seedsPerBatch: Int = {
        let total = Int(ProcessInfo.processInfo.environment["CODETASK_CORE_SEEDS"] ?? "") ?? 20_000
        return max(1, total / 10)
    }()

    /// Random steps per sequence before quiescence and the stop; `CODETASK_CORE_STEPS` sets it (100 by default).
    static let steps: Int = Int(ProcessInfo.processInfo.environment["CODETASK_CORE_STEPS"] ?? "") ?? 100

    @Test("20,000 seeded random sequences keep every safety rule and stay live", arguments: 0..<10)
    func randomSequences(batch: Int) throws {
        for seed in (batch * Self.seedsPerBatch)..<((batch + 1) * Self.seedsPerBatch) {
            var world = CoreWorld(seed: UInt64(seed))
            do {
                try world.run(steps: Self.steps)
            } catch let failure as CoreWorld.Violation {
                // Reported as its shortest failing run, whole: the minimal sequence to read.
                let shortest = CoreWorld.shortestFailure(seed: UInt64(seed), steps: Self.steps)
                Issue.record("\(shortest.map { "shortest failing run: \($0.steps) steps\n\($0.violation)" } ?? "\(failure)")")
                return
            }
        }
    }

    @Test("the model catches a core that forgets a key (a checker that cannot fail is no checker)")
    func checkerCatchesAStall() throws {
        // A world whose core has a key with queued work that is neither armed nor busy: the liveness check fails.
        var world = CoreWorld(seed: 1)
        world.driver.assign([TopicPartition(topic: "in", partition: 0)])
        world.driver.core.lifecycle = .running
        world.driver.core.tickets[999] = .init(
            id: 999, source: RecordSource(topic: "in", partition: 0, offset: 0), epoch: 1, key: "lost", payload: "",
            arrivedAt: world.driver.now, phase: .queued)
        world.driver.core.schedule.enqueue(999, key: "lost")
        _ = world.driver.core.schedule.nextArmed()
        #expect(throws: CoreWorld.Violation.self) { try world.checkLiveness() }
    }

    @Test("a failing seed is reported as its shortest failing run: a core broken at step 40 fails first with 41 steps")
    func shrinksAFailingSeed() throws {
        // Without the sabotage the seed passes at every length; with it, every run that reaches step 40 fails.
        #expect(CoreWorld.shortestFailure(seed: 7, steps: 60) == nil)
        let shortest = try #require(CoreWorld.shortestFailure(seed: 7, steps: 60, sabotageAtStep: 40))
        #expect(shortest.steps == 41)
        #expect(shortest.violation.description.contains("forgotten"))
    }
}
