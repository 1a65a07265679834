import Kafka
import Testing

@testable import CodetaskWorker

@Suite("The worker core state machine: scripted sequences")
struct WorkerCoreTests {
    @Test("records of one key start one at a time in offset order; other keys run up to the in-flight limit")
    func keyedScheduling() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let first = driver.poll(partition0, [0, 1, 2, 3, 4, 5]) { $0 < 3 ? "a" : "b\($0)" }.startedJobs()
        // a@0, b3, b4, b5 start (limit 4); a@1 and a@2 wait behind a@0.
        #expect(first.map(\.source.offset) == [0, 3, 4, 5])
        let next = driver.send(.jobEnded(first[0].id, finished: true)).startedJobs()
        #expect(next.map(\.source.offset) == [1])
        #expect(driver.send(.jobEnded(first[1].id, finished: true)).startedJobs().map(\.source.offset) == [])
        #expect(driver.send(.jobEnded(next[0].id, finished: true)).startedJobs().map(\.source.offset) == [2])
    }

    @Test("a job whose Start call is over frees its in-flight slot at once; its key waits until the job ends")
    func callSlotFreedAtAnswer() {
        var driver = CoreDriver { $0.maxInFlight = 2 }
        driver.assign([partition0])
        let first = driver.poll(partition0, [0, 1, 2, 3]) { $0 < 2 ? "a" : "b\($0)" }.startedJobs()
        // a@0 and b2 take both slots; a@1 waits behind a@0, b3 for a slot.
        #expect(first.map(\.source.offset) == [0, 2])
        #expect(driver.core.runningKeyed == 2)
        // a@0's call is answered: its slot goes to b3 while a@0 publishes; a@1 still waits for a@0's end.
        #expect(driver.send(.callEnded(first[0].id)).startedJobs().map(\.source.offset) == [3])
        #expect(driver.core.runningKeyed == 2)
        // A second report of the same call changes nothing.
        #expect(driver.send(.callEnded(first[0].id)).startedJobs().isEmpty)
        #expect(driver.core.runningKeyed == 2)
        // a@0 ends: its key is free, but both slots are taken (b2, b3) until one of their calls is over.
        #expect(driver.send(.jobEnded(first[0].id, finished: true)).startedJobs().isEmpty)
        #expect(driver.send(.jobEnded(first[1].id, finished: true)).startedJobs().map(\.source.offset) == [1])
        #expect(driver.core.runningKeyed == 2)
    }

    @Test("the commit position stops at the lowest unfinished record; finished ones above it travel in the metadata")
    func commitPoints() {
        var driver = CoreDriver()
        driver.assign([partition0], committed: [partition0: CommitPoint(offset: 10, finished: [])])
        let jobs = driver.poll(partition0, [10, 11, 12, 13]).startedJobs()
        driver.send(.jobEnded(jobs[1].id, finished: true))
        driver.send(.jobEnded(jobs[3].id, finished: true))
        let commit = driver.advance(.seconds(1)).compactMap(\.committed).first
        #expect(commit?[partition0] == CommitPoint(offset: 10, finished: [11, 13]))
        #expect(CommitMetadata.encode(commit![partition0]!) == "cw1:1,3")
    }

    @Test("a refused commit is sent again after the retry delay, with the positions kept")
    func commitRetried() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0]).startedJobs()
        driver.send(.jobEnded(jobs[0].id, finished: true))
        let sent = driver.advance(.seconds(1))
        guard case .commit(let id, let points, _) = sent.first(where: { $0.committed != nil }) else {
            Issue.record("no commit sent")
            return
        }
        #expect(points[partition0]?.offset == 1)
        driver.send(.commitEnded(id, .failed))
        #expect(driver.advance(.milliseconds(100)).compactMap(\.committed).isEmpty)
        let again = driver.advance(.milliseconds(200)).compactMap(\.committed)
        #expect(again.first?[partition0]?.offset == 1)
    }

    @Test("after the group refused a commit (a rebalance), no commit and no new Start until the rebalance callback")
    func holdWhileCommitsRefused() {
        var driver = CoreDriver { $0.maxInFlight = 1 }
        driver.assign([partition0])
        let first = driver.poll(partition0, [0, 1, 2]).startedJobs()
        driver.send(.jobEnded(first[0].id, finished: true))  // starts offset 1
        guard case .commit(let id, _, _) = driver.advance(.seconds(1)).first(where: { $0.committed != nil }) else {
            Issue.record("no commit")
            return
        }
        let second = driver.actions.startedJobs().last!
        driver.send(.commitEnded(id, .refusedByGroup))
        #expect(driver.send(.jobEnded(second.id, finished: true)).startedJobs().isEmpty, "offset 2 began during the refusal")
        // No commit is sent until the member's rebalance callback: one from the replaced generation would make
        // librdkafka declare the assignment lost.
        #expect(driver.advance(.seconds(2)).compactMap(\.committed).isEmpty)
        let resumed = driver.send(.assigned([]))
        #expect(resumed.startedJobs().map(\.source.offset) == [2])
        #expect(resumed.compactMap(\.committed).first?[partition0]?.offset == 2)
    }

    @Test("records the committed metadata lists as finished are skipped; those below the position too")
    func skipsFinished() {
        var driver = CoreDriver()
        driver.assign([partition0], committed: [partition0: CommitPoint(offset: 5, finished: [6, 8])])
        let jobs = driver.poll(partition0, [4, 5, 6, 7, 8, 9]).startedJobs()
        #expect(jobs.map(\.source.offset) == [5, 7, 9])
        #expect(driver.core.counts.alreadyFinished == 3)
    }

    @Test("records that arrive while the committed position is read wait for it")
    func loadingBuffers() {
        var driver = CoreDriver()
        let assigned = driver.send(.assigned([partition0]))
        guard case .readCommitted(_, let epoch) = assigned.first else {
            Issue.record("no read of the committed offsets")
            return
        }
        #expect(driver.poll(partition0, [0, 1, 2]).startedJobs().isEmpty)
        let started = driver.send(.committedRead(partition0, epoch: epoch, CommitPoint(offset: 1, finished: [2])))
        #expect(started.startedJobs().map(\.source.offset) == [1])
    }

    @Test("revocation: queued work is dropped, running work drains, then the finished position is committed")
    func revocationDrains() {
        var driver = CoreDriver { $0.maxInFlight = 1 }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1, 2]).startedJobs()
        #expect(jobs.count == 1)
        #expect(driver.send(.revoked([partition0], 7)).isEmpty)
        let ended = driver.send(.jobEnded(jobs[0].id, finished: true))
        #expect(ended.startedJobs().isEmpty)
        guard case .completeRevocation(7, let points, _, _) = ended.first(where: { $0.committed != nil }) else {
            Issue.record("the revocation did not complete: \(ended)")
            return
        }
        #expect(points[partition0] == CommitPoint(offset: 1, finished: []))
        #expect(driver.core.counts.notBegun == 2)
        #expect(driver.core.partitions.isEmpty)
    }

    @Test("revocation: running jobs past the drain budget are cancelled; the revocation completes after the cancel wait")
    func revocationCancels() {
        var driver = CoreDriver { $0.drainTimeout = .seconds(2); $0.cancelWait = .seconds(1) }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0]).startedJobs()
        driver.send(.revoked([partition0], 1))
        #expect(driver.advance(.seconds(1)).isEmpty)
        #expect(driver.advance(.seconds(1)).compactMap(\.cancelledJobs) == [[jobs[0].id]])
        let completed = driver.advance(.seconds(1))
        #expect(completed.contains { if case .completeRevocation(1, _, _, _) = $0 { true } else { false } })
    }

    @Test("a partition revoked and re-assigned to the same member never starts an offset twice")
    func reassignmentStartsNothingTwice() {
        var driver = CoreDriver { $0.drainTimeout = .zero; $0.cancelWait = .zero }
        driver.assign([partition0])
        let old = driver.poll(partition0, [0]).startedJobs()
        driver.send(.revoked([partition0], 1))
        driver.advance(.milliseconds(1))  // cancelled, and the revocation goes on without it
        driver.advance(.milliseconds(1))
        driver.assign([partition0])
        // The old ticket for offset 0 still runs: the same offset waits behind it.
        #expect(driver.poll(partition0, [0, 1]).startedJobs().map(\.source.offset) == [1])
        // It ends with its outcome published after all: offset 0 is finished in the new epoch too.
        #expect(driver.send(.jobEnded(old[0].id, finished: true)).startedJobs().isEmpty)
        #expect(driver.core.partitions[partition0]?.progress.lowestUnfinished == 1)
    }

    @Test("a partition that comes back after its revocation commit was refused is not redone from the stale position")
    func returnsWithOwnKnowledge() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1, 2]).startedJobs()
        for job in jobs { driver.send(.jobEnded(job.id, finished: true)) }
        driver.send(.revoked([partition0], 1))  // completes at once; its commit is refused (nothing recorded)
        let back = driver.assign([partition0], committed: [:])
        #expect(back.startedJobs().isEmpty)
        #expect(driver.poll(partition0, [0, 1, 2, 3]).startedJobs().map(\.source.offset) == [3])
        #expect(driver.core.counts.alreadyFinished == 3)
        // The member commits what it knows on its next commit.
        let commit = driver.advance(.seconds(1)).compactMap(\.committed).first
        #expect(commit?[partition0]?.offset == 3)
    }

    @Test("lost partitions: queued work dropped, running calls wound down then cancelled after the drain budget, nothing committed")
    func lost() {
        var driver = CoreDriver {
            $0.maxInFlight = 1
            $0.drainTimeout = .seconds(3)
        }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1]).startedJobs()
        let actions = driver.send(.lost([partition0]))
        #expect(actions.compactMap(\.woundDownJobs) == [[jobs[0].id]])
        #expect(actions.compactMap(\.cancelledJobs).isEmpty)
        #expect(actions.compactMap(\.committed).isEmpty)
        #expect(driver.core.partitions.isEmpty)
        #expect(driver.advance(.seconds(2)).compactMap(\.cancelledJobs).isEmpty)
        #expect(driver.advance(.seconds(1)).compactMap(\.cancelledJobs) == [[jobs[0].id]])
        driver.send(.jobEnded(jobs[0].id, finished: false))
        #expect(driver.advance(.seconds(2)).compactMap(\.committed).isEmpty)
    }

    @Test("a lost partition's wound-down call that got its answer is not started again when the partition comes back")
    func lostThenReassignedAfterTheAnswer() {
        var driver = CoreDriver { $0.maxInFlight = 2 }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1]).startedJobs()
        #expect(jobs.count == 2)
        driver.send(.lost([partition0]))
        // Offset 0's answer arrives while the partition is owned by no one here; offset 1's after it returns.
        driver.send(.jobEnded(jobs[0].id, finished: true))
        driver.assign([partition0])
        let again = driver.poll(partition0, [0, 1, 2]).startedJobs()
        #expect(again.map(\.source.offset) == [2], "offset 1 waits for its earlier call; offset 0 is finished")
        let afterAnswer = driver.send(.jobEnded(jobs[1].id, finished: true)).startedJobs()
        #expect(afterAnswer.isEmpty)
        driver.send(.jobEnded(again[0].id, finished: true))
        #expect(driver.advance(.seconds(1)).compactMap(\.committed).first?[partition0]?.offset == 3)
    }

    @Test("stop: nothing begins after it; running work finishes; the final commit precedes the close")
    func gracefulStop() {
        var driver = CoreDriver { $0.maxInFlight = 1 }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1]).startedJobs()
        driver.send(.stopRequested)
        #expect(driver.poll(partition0, [2]).startedJobs().isEmpty)
        let ended = driver.send(.jobEnded(jobs[0].id, finished: true))
        #expect(ended.startedJobs().isEmpty)
        guard case .commit(let id, let points, _) = ended.first(where: { $0.committed != nil }) else {
            Issue.record("no final commit: \(ended)")
            return
        }
        #expect(points[partition0]?.offset == 1)
        let closing = driver.send(.commitEnded(id, .succeeded))
        #expect(closing.contains { if case .close = $0 { true } else { false } })
        let finish = driver.send(.closeEnded)
        #expect(finish.contains { if case .finish(nil) = $0 { true } else { false } })
        #expect(driver.core.isClosed)
    }

    @Test("a broker that drops commit metadata: the stop finishes the queued records below the highest started one")
    func stopClosesGapsWithoutMetadata() {
        var driver = CoreDriver { $0.maxInFlight = 2 }
        driver.core.commitMetadataKept = false
        driver.assign([partition0])
        // Offsets 0 and 1 share a key: 1 waits behind 0, while 2 (another key) starts.
        let started = driver.poll(partition0, [0, 1, 2, 3]) { $0 < 2 ? "a" : "b\($0)" }.startedJobs()
        #expect(started.map(\.source.offset) == [0, 2])
        driver.send(.stopRequested)
        // 1 lies below the frontier (2): it still runs once 0 ends; 3 lies beyond it and never starts.
        let next = driver.send(.jobEnded(started[0].id, finished: true)).startedJobs()
        #expect(next.map(\.source.offset) == [1])
        driver.send(.jobEnded(started[1].id, finished: true))
        let last = driver.send(.jobEnded(next[0].id, finished: true))
        #expect(last.startedJobs().isEmpty)
        #expect(last.compactMap(\.committed).first?[partition0] == CommitPoint(offset: 3, finished: []))
    }

    @Test("with the attempt journal, a broker that drops commit metadata: the stop starts nothing more (the journal carries what finished above the gap)")
    func stopStartsNothingWithJournal() {
        var driver = CoreDriver {
            $0.maxInFlight = 2
            $0.journal = true
        }
        driver.core.commitMetadataKept = false
        driver.assign([partition0])
        let started = driver.poll(partition0, [0, 1, 2, 3]) { $0 < 2 ? "a" : "b\($0)" }.startedJobs()
        #expect(started.map(\.source.offset) == [0, 2])
        driver.send(.stopRequested)
        // 1 lies below the frontier (2) but is not started: offset 2's closed attempt is in the journal.
        #expect(driver.send(.jobEnded(started[0].id, finished: true)).startedJobs().isEmpty)
        let last = driver.send(.jobEnded(started[1].id, finished: true))
        #expect(last.startedJobs().isEmpty)
        #expect(last.compactMap(\.committed).first?[partition0] == CommitPoint(offset: 1, finished: [2]))
    }

    @Test("stop: past the grace period everything is cancelled and the stop ends within grace + 5 s even if commits hang")
    func stopBound() {
        var driver = CoreDriver { $0.gracePeriod = .seconds(10) }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1]).startedJobs()
        driver.send(.jobEnded(jobs[1].id, finished: true))
        driver.send(.stopRequested)
        var cancelled: [UInt64] = []
        var closedAt: Duration?
        for _ in 0..<200 {
            let step = driver.advance(.milliseconds(100))
            cancelled += step.compactMap(\.cancelledJobs).flatMap { $0 }
            // Commits are never answered; the close never ends by itself.
            if step.contains(where: { if case .close = $0 { true } else { false } }) {
                closedAt = driver.elapsed
                break
            }
        }
        #expect(cancelled == [jobs[0].id])
        let closed = try! #require(closedAt)
        #expect(closed <= .seconds(15))
        #expect(closed >= .seconds(10))
    }

    @Test("the breaker open: nothing new starts and consumption pauses; half-open admits one probe at a time")
    func breaker() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let opened = driver.send(.breaker(.open(until: driver.now + .seconds(5))))
        #expect(opened.contains { if case .pause = $0 { true } else { false } })
        #expect(driver.poll(partition0, [0, 1]).startedJobs().isEmpty)
        let probe = driver.advance(.seconds(5)).startedJobs()
        #expect(probe.count == 1)
        #expect(driver.send(.breaker(.closed)).startedJobs().count == 1)
    }

    @Test("back-pressure: consumption pauses at the pending limit and resumes at half")
    func backPressure() {
        var driver = CoreDriver { $0.maxPending = 4; $0.maxInFlight = 4 }
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0, 1, 2, 3]).startedJobs()
        #expect(driver.core.paused == [partition0])
        driver.send(.jobEnded(jobs[0].id, finished: true))
        #expect(driver.core.paused == [partition0])
        let resumed = driver.send(.jobEnded(jobs[1].id, finished: true))
        #expect(resumed.contains { if case .resume = $0 { true } else { false } })
    }

    @Test("a fatal error cancels everything and closes without waiting for the grace period")
    func fatal() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let jobs = driver.poll(partition0, [0]).startedJobs()
        let actions = driver.send(.fatalError("boom"))
        #expect(actions.compactMap(\.cancelledJobs) == [[jobs[0].id]])
        let closing = driver.send(.jobEnded(jobs[0].id, finished: false)) + driver.advance(.milliseconds(10))
        #expect(closing.contains { if case .close = $0 { true } else { false } })
        #expect(driver.send(.closeEnded).contains { if case .finish("boom") = $0 { true } else { false } })
    }

    @Test("commit metadata round-trips, stays under its size limit and ignores foreign text")
    func metadata() {
        let point = CommitPoint(offset: 100, finished: [101, 102, 103, 105, 200])
        let text = CommitMetadata.encode(point)
        #expect(text == "cw1:1-3,5,100")
        #expect(CommitMetadata.decode(text, offset: 100) == [101, 102, 103, 105, 200])
        let many = CommitPoint(offset: 0, finished: Set(stride(from: 2, to: 20_000, by: 2)))
        let long = CommitMetadata.encode(many)!
        #expect(long.utf8.count <= CommitMetadata.maxBytes)
        #expect(CommitMetadata.decode(long, offset: 0).isSubset(of: many.finished))
        for foreign in ["", "x", "cw1:", "cw1:a", "cw1:0", "cw1:5-2", "cw1:1-99999999999", "cw1:-1"] {
            #expect(CommitMetadata.decode(foreign, offset: 0).isEmpty, "\(foreign)")
        }
    }
}
