@testable import CodetaskWorker
import Kafka
import Testing

/// The attempt journal's ledger as the worker core keeps it (issue 19: all guarantee state in the core): what a
/// record's next job inherits, and where the next owner reads the journal from.
@Suite("The journal ledger in the worker core, without a broker")
struct JournalLedgerTests {
    private static func inDoubt(_ member: String, _ at: String = "t") -> JournalLedger.Earlier {
        .inDoubt(JournalLedger.InDoubt(member: member, at: at))
    }

    private static func open(_ member: String, mine: Bool = false) -> JournalRecovery.Open {
        JournalRecovery.Open(attempt: JournalLedger.InDoubt(member: member, at: "t"), mine: mine)
    }

    /// Assigns `partition0` with the journal on and returns the epoch its committed read is for.
    private static func assign(_ driver: inout CoreDriver) -> UInt64 {
        driver.send(.assigned([partition0])).compactMap { action -> UInt64? in
            if case .readCommitted(_, let epoch) = action { return epoch }
            return nil
        }.first!
    }

    private static func journalDriver() -> CoreDriver {
        CoreDriver { $0.journal = true }
    }

    /// What the started jobs inherited, by offset.
    private static func inherited(_ actions: [WorkerCore<String>.Action]) -> [Int64: JournalLedger.Earlier?] {
        var inherited: [Int64: JournalLedger.Earlier?] = [:]
        for case .startJob(_, let source, _, let context) in actions { inherited[source.offset] = context.earlier }
        return inherited
    }

    /// Issue 19 item 10: a recovery read that ran while its partition was assigned again ends after the newer
    /// one; it used to overwrite the newer recovery (its attempts, read start and in-doubt records).
    @Test func aRecoveryForAnEarlierAssignmentIsIgnored() {
        var driver = Self.journalDriver()
        let first = Self.assign(&driver)
        let second = Self.assign(&driver)
        driver.send(.committedRead(partition0, epoch: second, nil, journal: JournalRecovery(open: [20: Self.open("b")], attempts: [20: 300], end: 310)))
        driver.send(.committedRead(partition0, epoch: first, nil, journal: JournalRecovery(open: [10: Self.open("a")], attempts: [10: 100], end: 110)))
        let started = Self.inherited(driver.poll(partition0, [10, 20]))
        #expect(started[10] == .some(nil), "the stale recovery's attempt became in doubt")
        #expect(started[20] == Self.inDoubt("b"), "the current recovery's in-doubt record was lost")
        #expect(driver.core.journalStarts([partition0: CommitPoint(offset: 10, finished: [])]) == [partition0: 300])
    }

    /// This member's own open attempt is in doubt unless its job still runs here (then that job's own end says
    /// what it left); another member's always is.
    @Test func ownRunningAttemptsAreNotInDoubt() {
        var driver = Self.journalDriver()
        driver.send(.committedRead(partition0, epoch: Self.assign(&driver), nil, journal: JournalRecovery(end: 0)))
        let running = driver.poll(partition0, [11]).startedJobs()[0]
        driver.send(.lost([partition0]))
        let epoch = Self.assign(&driver)
        let recovery = JournalRecovery(
            open: [11: Self.open("me", mine: true), 12: Self.open("me", mine: true), 13: Self.open("other")], attempts: [11: 0, 12: 1, 13: 2], end: 3)
        driver.send(.committedRead(partition0, epoch: epoch, nil, journal: recovery))
        let started = Self.inherited(driver.poll(partition0, [11, 12, 13]))
        #expect(started[11] == nil, "record 11 started while its earlier job still runs")
        #expect(started[12] == Self.inDoubt("me") && started[13] == Self.inDoubt("other"))
        let ended = driver.send(.jobEnded(running.id, finished: false, journal: JobJournalReport(attemptOffset: 0, end: 1, leaving: Self.inDoubt("me", "late"))))
        #expect(Self.inherited(ended)[11] == Self.inDoubt("me", "late"), "a job that ended in doubt after the recovery keeps its mark")
    }

    /// A decided outcome a job of an earlier epoch left while its partition was loading again wins over the
    /// recovery's view of the same attempt as open (the read may predate the `answered` close).
    @Test func aDecidedOutcomeLeftWhileLoadingStaysDecided() {
        var driver = Self.journalDriver()
        driver.send(.committedRead(partition0, epoch: Self.assign(&driver), nil, journal: JournalRecovery(end: 0)))
        let running = driver.poll(partition0, [4]).startedJobs()[0]
        driver.send(.lost([partition0]))
        let epoch = Self.assign(&driver)
        let event = KafkaOutgoingMessage(topic: "out", key: nil, value: [1])
        driver.send(.jobEnded(running.id, finished: false, journal: JobJournalReport(attemptOffset: 0, end: 2, leaving: .decided(event: event))))
        driver.send(.committedRead(partition0, epoch: epoch, nil, journal: JournalRecovery(open: [4: Self.open("me", mine: true)], attempts: [4: 0], end: 1)))
        #expect(Self.inherited(driver.poll(partition0, [4]))[4] == .decided(event: event))
    }

    /// A commit while a job runs sends the next owner no later than the journal's end as known when the job began
    /// (its attempt is written after that); once it ended, to its attempt, then past it when committed.
    @Test func runningJobsHoldTheReadStartBack() {
        var driver = Self.journalDriver()
        driver.send(.committedRead(partition0, epoch: Self.assign(&driver), nil, journal: JournalRecovery(end: 50)))
        let job = driver.poll(partition0, [5, 6]) { _ in "same" }.startedJobs()[0]
        #expect(driver.core.journalStarts([partition0: CommitPoint(offset: 5, finished: [])]) == [partition0: 50])
        driver.send(.jobEnded(job.id, finished: true, journal: JobJournalReport(attemptOffset: 53, end: 55)))
        #expect(driver.core.journalStarts([partition0: CommitPoint(offset: 5, finished: [])]) == [partition0: 53])
        let second = driver.core.tickets.values.first { $0.source.offset == 6 }
        #expect(second?.journalFloor == 55, "the next job's floor is the journal's end as known when it began")
        #expect(driver.core.journalStarts([partition0: CommitPoint(offset: 6, finished: [])]) == [partition0: 55])
    }
}
