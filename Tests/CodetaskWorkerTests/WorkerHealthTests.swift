import Kafka
import Testing

@testable import CodetaskWorker

@Suite("Readiness's group and commit checks, without a broker")
struct WorkerHealthTests {
    let health = WorkerHealth(unfinishedAgeLimit: .seconds(300))
    let start = ContinuousClock.now

    func tick(at seconds: Int, owned: Int) {
        self.health.recordLoop(now: self.start + .seconds(seconds), oldestUnfinishedAge: .zero, breakerOpen: false, partitionsOwned: owned)
    }

    func check(_ name: String, at seconds: Int) -> HealthReport.Check? {
        self.health.readiness(now: self.start + .seconds(seconds)).checks.first { $0.name == name }
    }

    @Test("a running member that owns no partition is ready while a rebalance may settle (60 s), then not")
    func group() {
        self.health.recordKafka(answered: true, detail: "partition leaders answered")
        self.tick(at: 0, owned: 0)
        self.tick(at: 60, owned: 0)
        #expect(self.health.readiness(now: self.start + .seconds(60)).ok)
        self.tick(at: 61, owned: 0)
        #expect(self.check("group", at: 61)?.ok == false)
        #expect(!self.health.readiness(now: self.start + .seconds(61)).ok)
        self.tick(at: 62, owned: 3)
        #expect(self.health.readiness(now: self.start + .seconds(62)).ok)
        // Its partitions gone at 100 s (a member joined): counted from the last tick that saw some.
        self.tick(at: 99, owned: 3)
        self.tick(at: 100, owned: 0)
        self.tick(at: 159, owned: 0)
        #expect(self.check("group", at: 159)?.ok == true)
        self.tick(at: 160, owned: 0)
        #expect(self.check("group", at: 160)?.ok == false, "\(String(describing: self.check("group", at: 160)))")
    }

    @Test("a partition with lag and no commit past the record-age limit fails commits; lag alone or recent commits do not")
    func commits() {
        self.health.recordKafka(answered: true, detail: "partition leaders answered")
        self.tick(at: 0, owned: 2)
        let partition = TopicPartition(topic: "in", partition: 1)
        self.health.recordLagging([partition: .seconds(300)])
        #expect(self.check("commits", at: 0)?.ok == true)
        self.health.recordLagging([partition: .seconds(301)])
        #expect(self.check("commits", at: 0)?.ok == false)
        #expect(!self.health.readiness(now: self.start).ok)
        self.health.recordLagging([:])
        #expect(self.health.readiness(now: self.start).ok)
    }
}
