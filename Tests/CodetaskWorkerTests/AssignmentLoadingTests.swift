@testable import CodetaskWorker
import Kafka
import Logging
import Testing

@Suite("Reads at assignment: retry schedule and readiness, without a broker")
struct AssignmentLoadingTests {
    private let p0 = TopicPartition(topic: "requests", partition: 0)
    private let p1 = TopicPartition(topic: "requests", partition: 1)

    @Test func retriesBackOffExponentiallyToACapAndEscalatePastTheBound() {
        let began = ContinuousClock.now
        var retry = ReadRetry(began: began, escalateAfter: .seconds(30), giveUpAfter: .seconds(86_400))
        let early = (0..<8).map { _ in retry.failed(now: began + .seconds(1)) }
        #expect(early.map(\.delay) == [100, 200, 400, 800, 1_600, 3_200, 4_000, 4_000].map { .milliseconds($0) })
        #expect(early.allSatisfy { !$0.escalated && $0.level < .error })
        let late = (0..<11).map { _ in retry.failed(now: began + .seconds(31)) }
        #expect(late.allSatisfy { $0.escalated && $0.delay == ReadRetry.maxDelay })
        // An error-level line on the first failure past the bound, then every fifth.
        #expect(late.indices.filter { late[$0].level == .error } == [0, 5, 10])
        for _ in 0..<10_000 { _ = retry.failed(now: began + .seconds(99)) }
        #expect(retry.failed(now: began + .seconds(99)).delay == ReadRetry.maxDelay, "no overflow after many failures")
        #expect(!retry.failed(now: began + .seconds(86_400)).givesUp)
    }

    @Test func readsFailingPastTheLimitAreGivenUp() {
        let began = ContinuousClock.now
        var retry = ReadRetry(began: began, escalateAfter: .seconds(30), giveUpAfter: .seconds(300))
        #expect(!retry.failed(now: began + .seconds(1)).givesUp)
        #expect(!retry.failed(now: began + .seconds(300)).givesUp)
        let last = retry.failed(now: began + .seconds(301))
        #expect(last.givesUp && last.escalated && last.level == .error)
        // A limit shorter than the escalation bound still holds.
        var short = ReadRetry(began: began, escalateAfter: .seconds(30), giveUpAfter: .seconds(2))
        #expect(short.failed(now: began + .seconds(3)).givesUp)
    }

    @Test func readinessNamesAPartitionLoadingPastTheLimitAndRecovers() {
        let health = WorkerHealth(unfinishedAgeLimit: .seconds(300), loadingLimit: .seconds(30))
        health.recordKafka(answered: true, detail: "partition leaders answered")
        let now = ContinuousClock.now
        #expect(health.loading { $0.began([p0, p1], epoch: 1, at: now) } == 2)
        health.loading { $0.failed([p0, p1], epoch: 1) }
        health.recordLoop(now: now + .seconds(30), oldestUnfinishedAge: .zero, breakerOpen: false)
        #expect(health.readiness(now: now + .seconds(30)).ok, "within the limit")
        health.recordLoop(now: now + .seconds(31), oldestUnfinishedAge: .zero, breakerOpen: false)
        let stuck = health.readiness(now: now + .seconds(31))
        let check = stuck.checks.first { $0.name == "assignment" }
        #expect(!stuck.ok && check?.ok == false)
        #expect(check?.detail.contains("requests/0 for 31 s (limit 30 s), 2 read(s) failed") == true, "\(String(describing: check))")
        #expect(health.loading { $0.ended([p0], epoch: 1) } == 1)
        #expect(health.loading { $0.ended([p1], epoch: 1) } == 0)
        #expect(health.readiness(now: now + .seconds(31)).ok)
    }

    @Test func aReadOfAnEarlierAssignmentDoesNotClearALaterOne() {
        var loading = PartitionLoading()
        let now = ContinuousClock.now
        loading.began([p0], epoch: 1, at: now)
        loading.began([p0], epoch: 2, at: now + .seconds(5))
        loading.failed([p0], epoch: 1)
        loading.ended([p0], epoch: 1)
        #expect(loading.entries[p0] == PartitionLoading.Entry(epoch: 2, since: now + .seconds(5), failedReads: 0))
        loading.ended([p0], epoch: 2)
        #expect(loading.entries.isEmpty)
    }
}
