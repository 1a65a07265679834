import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Prometheus
import Testing

extension WorkerIntegration {
@Suite("Partition gauges: lag and commit age while commits are refused", .serialized)
struct PartitionGaugeTests {
    /// Issue 21 item 2: the lag used to be set only after a successful commit, so it stood still exactly when
    /// commits stopped. Now it is sampled from the partitions' leaders: with every commit refused, new records
    /// processed show as lag and the commit age grows; once commits go through, the lag returns to 0.
    @Test func lagAndCommitAgeMoveWhileCommitsAreRefused() async throws {
        announce("gauges lagAndCommitAgeMoveWhileCommitsAreRefused", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let registry = PrometheusCollectorRegistry()
            let scrape = { PrometheusText(registry.emitToString()) }
            let worker = try harness.startWorker(metrics: PrometheusMetricsFactory(registry: registry))
            let first = try await harness.produce((0..<12).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            _ = try await harness.audit(first.keys)
            // A partition gets a lag series once a committed position is known: those the first records went to.
            let committedPartitions = Set(first.keys.map(\.partition))
            let settled = await WorkerHarness.eventually(timeout: .seconds(30)) {
                let lags = scrape().samples("codetask_worker_consumer_lag")
                return lags.count == committedPartitions.count && lags.allSatisfy { $0.value == 0 }
            }
            #expect(settled, "lag never settled at 0 on every partition: \(scrape().samples("codetask_worker_consumer_lag"))")
            #expect(scrape().sum("codetask_worker_partitions", ["state": "active"]) == Double(WorkerHarness.inputPartitions))

            // Every commit refused from now on for a while: OFFSET_METADATA_TOO_LARGE is not retried by librdkafka,
            // so each of the worker's tries (every 250 ms) takes one of the errors.
            let offsetMetadataTooLarge = KafkaError.Code(rawValue: 12)
            harness.broker.mock!.pushRequestErrors(.offsetCommit, Array(repeating: offsetMetadataTooLarge, count: 60))
            let second = try await harness.produce((12..<36).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            _ = try await harness.audit(second.keys)
            // Every new record behind a known committed position counts as lag, none of it committed.
            let behind = second.keys.count { committedPartitions.contains($0.partition) }
            try #require(behind > 0)
            var seen = (lag: 0.0, age: 0.0)
            let lagged = await WorkerHarness.eventually(timeout: .seconds(20)) {
                let now = scrape()
                seen = (now.sum("codetask_worker_consumer_lag"), now.samples("codetask_worker_commit_age_seconds").map(\.value).max() ?? 0)
                return seen.lag == Double(behind) && seen.age >= 5
            }
            let refused = scrape().sum("codetask_worker_commits_total", ["result": "failed"])
            print("[worker-tests] gauges while commits are refused: lag=\(seen.lag) of \(behind) new records behind a commit, largest commit age=\(seen.age) s, refused commits=\(refused)")
            #expect(lagged, "while commits were refused: lag \(seen.lag) (\(behind) expected), largest commit age \(seen.age) s")
            #expect(refused > 0)

            let recovered = await WorkerHarness.eventually(timeout: .seconds(90)) {
                scrape().sum("codetask_worker_consumer_lag") == 0
            }
            #expect(recovered, "lag after commits resumed: \(scrape().samples("codetask_worker_consumer_lag"))")
            #expect(extraStarts(harness.simulator) == 0)
            try await worker.stop()
        }
    }
}
}

@Suite("Partition gauges, without a broker")
struct PartitionGaugeUnitTests {
    @Test("a partition given up loses its series; commit age counts from the assignment, then from each commit")
    func seriesFollowOwnership() {
        let registry = PrometheusCollectorRegistry()
        let gauges = PartitionGauges(factory: PrometheusMetricsFactory(registry: registry))
        let (p0, p1) = (TopicPartition(topic: "in", partition: 0), TopicPartition(topic: "in", partition: 1))
        let start = ContinuousClock.now
        #expect(gauges.beginSample(now: start))
        #expect(!gauges.beginSample(now: start), "one sample at a time")
        gauges.record(committed: [p0: 10, p1: nil], ends: [p0: 15, p1: 3], now: start)
        #expect(!gauges.beginSample(now: start + .seconds(1)), "not before the interval")
        var text = PrometheusText(registry.emitToString())
        #expect(text.sum("codetask_worker_consumer_lag", ["partition": "0"]) == 5)
        #expect(text.samples("codetask_worker_consumer_lag", ["partition": "1"]).isEmpty, "no lag without a committed position")
        #expect(text.sum("codetask_worker_commit_age_seconds", ["partition": "1"]) == 0)

        gauges.commitAcknowledged([p1: 2], cachedEnd: { _ in 3 }, at: start + .seconds(4))
        #expect(gauges.beginSample(now: start + PartitionGauges.interval))
        gauges.record(committed: [p1: 2], ends: [p1: 7], now: start + .seconds(10))
        text = PrometheusText(registry.emitToString())
        #expect(text.samples("codetask_worker_consumer_lag", ["partition": "0"]).isEmpty, "p0 was given up")
        #expect(text.samples("codetask_worker_commit_age_seconds", ["partition": "0"]).isEmpty)
        #expect(text.sum("codetask_worker_consumer_lag", ["partition": "1"]) == 5)
        #expect(text.sum("codetask_worker_commit_age_seconds", ["partition": "1"]) == 6)
        #expect(text.sum("codetask_worker_committed_offset", ["partition": "1"]) == 2)
    }

    /// Found by CI's demo scrape (a lag of 5 left after the run): a sample reads the committed positions when it
    /// begins and the end offsets after a broker round trip; a commit acknowledged in between set the lag to 0,
    /// and the sample then set it back from its older position.
    @Test("a sample never sets an older committed position than a commit acknowledged while it ran")
    func sampleDoesNotUndoANewerCommit() {
        let registry = PrometheusCollectorRegistry()
        let gauges = PartitionGauges(factory: PrometheusMetricsFactory(registry: registry))
        let p4 = TopicPartition(topic: "in", partition: 4)
        let start = ContinuousClock.now
        #expect(gauges.beginSample(now: start))
        // The sample read position 95 when it began; the commit of 100 is acknowledged before its end offsets came.
        gauges.commitAcknowledged([p4: 100], cachedEnd: { _ in 100 }, at: start + .milliseconds(10))
        gauges.record(committed: [p4: 95], ends: [p4: 100], now: start + .milliseconds(20))
        let text = PrometheusText(registry.emitToString())
        #expect(text.sum("codetask_worker_consumer_lag", ["partition": "4"]) == 0)
        #expect(text.sum("codetask_worker_committed_offset", ["partition": "4"]) == 100)
    }
}
