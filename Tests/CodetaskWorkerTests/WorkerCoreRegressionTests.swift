import Foundation
import Kafka
import Testing

@testable import CodetaskWorker
@testable import InformaticaClient

/// One scripted sequence per hole issue 19 found in the core; each failed on the code before its fix.
@Suite("The worker core state machine: regressions")
struct WorkerCoreRegressionTests {
    @Test("a key does not stall when the broker's metadata support is learnt during a revocation that kept gap tickets")
    func keyDoesNotStallAfterMetadataFlagFlip() {
        // Tansu-like start: metadata not known to be kept, so a revocation keeps the queued tickets below the
        // highest started offset to close the gap.
        var driver = CoreDriver { $0.maxInFlight = 4 }
        driver.core.commitMetadataKept = false
        driver.assign([partition0])
        // Offsets 0 and 1 share key "a" (1 queues behind 0); offset 2 has key "b" and starts (frontier 2).
        let first = driver.poll(partition0, [0, 1, 2]) { $0 < 2 ? "a" : "b" }.startedJobs()
        #expect(first.map(\.source.offset) == [0, 2])
        driver.send(.revoked([partition0], 1))
        // The commit read-back arrives now: the kept ticket of offset 1 can no longer start (it waits for nothing).
        driver.send(.commitMetadataKept(true))
        driver.send(.jobEnded(first[0].id, finished: true))
        driver.send(.jobEnded(first[1].id, finished: true))
        driver.advance(.milliseconds(100))
        // The partition comes back (eager protocol) with the committed position at 1; key "a" must start again.
        driver.send(.assigned([partition0]))
        let epoch = driver.actions.compactMap { action -> UInt64? in
            if case .readCommitted(_, let epoch) = action { return epoch }
            return nil
        }.last!
        driver.send(.committedRead(partition0, epoch: epoch, CommitPoint(offset: 1, finished: [2])))
        let again = driver.poll(partition0, [1, 2, 3]) { $0 < 2 || $0 == 3 ? "a" : "b" }.startedJobs()
        #expect(again.map(\.source.offset) == [1], "key a stalled: \(again)")
    }

    @Test("the offset finished at the commit position travels with the commit (metadata named only offsets above it)")
    func finishedAtPositionIsCommitted() {
        var driver = CoreDriver()
        driver.assign([partition0], committed: [partition0: CommitPoint(offset: 5, finished: [])])
        let jobs = driver.poll(partition0, [5, 6]).startedJobs()
        // The partition is lost; the call of offset 5 was already sent and its answer is published afterwards.
        driver.send(.lost([partition0]))
        driver.send(.jobEnded(jobs[0].id, finished: true))
        driver.send(.jobEnded(jobs[1].id, finished: false))
        // It comes back with the group's position still at 5, then is revoked before anything is polled.
        driver.assign([partition0], committed: [partition0: CommitPoint(offset: 5, finished: [])])
        let revocation = driver.send(.revoked([partition0], 7)).compactMap(\.committed).first
        let point = try! #require(revocation?[partition0])
        let decoded = CommitMetadata.decode(CommitMetadata.encode(point), offset: point.offset)
        #expect(point.offset > 5 || decoded.contains(5), "offset 5 is finished but the commit \(point) loses it")
    }

    @Test("a record run again after its job ended without an outcome gets a new job id")
    func requeueTakesANewJobID() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let first = driver.poll(partition0, [0]).startedJobs()
        let again = driver.send(.jobEnded(first[0].id, finished: false)).startedJobs()
        #expect(again.map(\.source.offset) == [0])
        #expect(again.first?.id != first[0].id, "the re-run reused job id \(first[0].id)")
    }

    @Test("foreign commit metadata with distances past Int64.max is refused, not trapped on")
    func foreignMetadataOverflow() {
        #expect(CommitMetadata.decode("cw1:1-3", offset: Int64.max - 1).isEmpty)
        #expect(CommitMetadata.decode("cw1:9223372036854775807", offset: 1).isEmpty)
        #expect(CommitMetadata.decode("cw1:1", offset: Int64.max).isEmpty)
        #expect(CommitMetadata.decode("cw1:1-2", offset: Int64.max - 2) == [Int64.max - 1, Int64.max])
        #expect(CommitMetadata.decode("cw1:1", offset: Int64.min) == [Int64.min + 1])
        #expect(CommitMetadata.encode(CommitPoint(offset: Int64.min, finished: [Int64.max])) == nil)
    }

    @Test("one slow record pauses consumption: records finished behind it count against the pending limit")
    func finishedBehindASlowRecordCount() {
        var driver = CoreDriver { $0.maxInFlight = 64; $0.maxPending = 20 }
        driver.assign([partition0])
        var slow: UInt64?
        for batch in 0..<10 {
            let offsets = (Int64(batch * 5)..<Int64(batch * 5 + 5)).map { $0 }
            for job in driver.poll(partition0, offsets).startedJobs() {
                if job.source.offset == 0 { slow = job.id } else { driver.send(.jobEnded(job.id, finished: true)) }
            }
        }
        #expect(slow != nil)
        #expect(driver.core.paused.contains(partition0), "tracked \(driver.core.pendingTotal) records behind one slow one, not paused")
        driver.send(.jobEnded(slow!, finished: true))
        #expect(!driver.core.paused.contains(partition0))
    }

    @Test("a commit refusal answered after the rebalance callback does not hold starts and commits")
    func lateRefusalDoesNotPause() {
        var driver = CoreDriver { $0.maxInFlight = 1 }
        driver.assign([partition0])
        let first = driver.poll(partition0, [0, 1]).startedJobs()
        driver.send(.jobEnded(first[0].id, finished: true))
        guard case .commit(let id, _, _) = driver.advance(.seconds(1)).first(where: { $0.committed != nil }) else {
            Issue.record("no commit")
            return
        }
        let second = driver.actions.startedJobs().last!
        // The rebalance callback comes first (nothing of this member changes), then the commit's refusal.
        driver.send(.assigned([]))
        driver.send(.commitEnded(id, .refusedByGroup))
        driver.send(.jobEnded(second.id, finished: true))
        let resumed = driver.poll(partition0, [2]).startedJobs()
        #expect(resumed.map(\.source.offset) == [2], "starts held for the rebalance pause after the callback came")
    }

    @Test("record ages and durations are total over every timestamp and every number of seconds")
    func totalTimeArithmetic() {
        let now = Date()
        for milliseconds: Int64 in [.min, .min + 1, -1, 0, 1, -6_000_000_000_000, 1_733_000_000_000_000, .max - 1, .max] {
            let recordTime = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let age = RecordAge.nanoseconds(since: recordTime, now: now)
            #expect(age >= 0)
        }
        #expect(RecordAge.nanoseconds(since: Date(timeIntervalSince1970: -8_000_000_000), now: now) == Int64.max)
        #expect(RecordAge.nanoseconds(since: now.addingTimeInterval(-1), now: now) > 900_000_000)
        for seconds: Double in [-.infinity, -1, 0, .nan, 1e12, 1e13, 9.3e12, .greatestFiniteMagnitude, .infinity] {
            #expect(Duration.fromSeconds(seconds) >= .zero)
        }
        #expect(Duration.fromSeconds(.infinity) == .microseconds(Int64.max))
    }
}

extension WorkerCoreRegressionTests {
    @Test("a revocation that arrives after the grace period is not given a full drain: it ends within the stop bound")
    func revocationAfterGraceIsBounded() {
        var driver = CoreDriver { $0.gracePeriod = .seconds(2); $0.drainTimeout = .seconds(20) }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0]).startedJobs()
        driver.send(.stopRequested)
        // Past the grace: the job is cancelled and does not end; the stop sequence is cancelling.
        driver.advance(.seconds(2))
        driver.send(.revoked([partition0], 1))
        var completed = false
        for _ in 0..<100 where !completed {
            completed = driver.advance(.milliseconds(100)).contains {
                if case .completeRevocation = $0 { return true }
                return false
            }
        }
        #expect(completed, "the revocation still waits for job \(jobs[0].id) after 10 s (grace 2 s + 5 s bound)")
    }
}

extension WorkerCoreRegressionTests {
    @Test("whether the broker keeps commit metadata is one fact, in the core: it asks once for a read-back and writes checkpoints only until it learns")
    func metadataSupportIsLearntInTheCore() {
        var driver = CoreDriver { $0.journal = true }
        driver.core.commitMetadataKept = false
        driver.core.metadataReadBack = .notYet
        driver.assign([partition0])
        func commitOnce(_ offset: Int64) -> [CoreDriver.Core.Action] {
            let jobs = driver.poll(partition0, [offset]).startedJobs()
            driver.send(.jobEnded(jobs[0].id, finished: true))
            guard case .commit(let id, _, _) = driver.advance(.seconds(1)).first(where: { $0.committed != nil }) else {
                return []
            }
            return driver.send(.commitEnded(id, .succeeded))
        }
        let first = commitOnce(0)
        #expect(first.contains { if case .readBackCommit(partition0, _) = $0 { true } else { false } })
        #expect(first.contains { if case .writeCheckpoints = $0 { true } else { false } })
        // The read-back failed: the next commit is read back instead, checkpoints go on.
        driver.send(.commitReadBackFailed)
        let second = commitOnce(1)
        #expect(second.contains { if case .readBackCommit = $0 { true } else { false } })
        driver.send(.commitMetadataKept(true))
        let third = commitOnce(2)
        #expect(!third.contains { if case .readBackCommit = $0 { true } else { false } }, "read back again after it was learnt")
        #expect(!third.contains { if case .writeCheckpoints = $0 { true } else { false } }, "checkpoints on a broker that keeps metadata")
    }

    /// Found by the randomized suite's rule that a commit never forgets what the group's position says: a commit
    /// answered after its partition was lost and assigned again set the new (loading) epoch's position without the
    /// offsets its metadata listed, and a revocation before the committed read came back then committed that
    /// poorer position, so the next owner would start the records the metadata had listed again.
    @Test("a partition revoked while still loading commits nothing that forgets the group's metadata")
    func revokedWhileLoadingCommitsNothing() {
        var driver = CoreDriver()
        driver.assign([partition0], committed: [partition0: CommitPoint(offset: 0, finished: [])])
        let jobs = driver.poll(partition0, [0, 3]).startedJobs()
        driver.send(.jobEnded(jobs[1].id, finished: true))
        guard case .commit(let id, let points, _)? = driver.advance(.seconds(1)).first(where: { $0.committed != nil }) else {
            Issue.record("no commit of offset 3")
            return
        }
        #expect(points[partition0] == CommitPoint(offset: 0, finished: [3]))
        driver.send(.lost([partition0]))
        driver.send(.assigned([partition0]))
        driver.send(.commitEnded(id, .succeeded))    // the group now holds offset 3 finished
        let actions = driver.send(.revoked([partition0], 1)) + driver.advance(.seconds(1))
        #expect(actions.contains { if case .completeRevocation(1, _, _, _) = $0 { true } else { false } })
        let committed = actions.compactMap { $0.committed?[partition0] }
        #expect(committed.allSatisfy { $0.finished.contains(3) }, "the revocation committed \(committed)")
    }
}
