import Kafka

@testable import CodetaskWorker

/// The attempt journal as the model writes it (seeds with the journal on), and the rules the machine's journal
/// ledger is held to:
/// - a job inherits an in-doubt mark exactly when its record has an attempt left open (a request may have been
///   sent, no outcome), whether that was learnt from the job's end or from the journal read at assignment;
/// - a commit sends the next owner to a journal offset at or below every attempt of a record at or above the
///   committed position, including attempts acknowledged but not yet reported (their job still runs); only a
///   partition whose journal was not read yet may commit without one (the next owner reads the whole journal).
extension CoreWorld {
    /// What the model's journal holds.
    struct JournalModel {
        /// Per partition, the next journal offset.
        var end: [TopicPartition: Int64] = [:]
        /// The earliest journal offset of an attempt per record (of any epoch).
        var attemptAt: [RecordSource: Int64] = [:]
        /// The attempt each running job wrote (absent: not written yet).
        var jobAttempt: [UInt64: Int64] = [:]
        /// Records with an attempt left open: a request may have been sent and no outcome was published.
        var open: Set<RecordSource> = []
        /// Running jobs that inherited an in-doubt mark.
        var inherited: Set<UInt64> = []
    }

    var journalOn: Bool { self.driver.core.settings.journal }

    /// Writes a running job's attempt (keyed jobs only: dead letters call no one and write none).
    mutating func writeAttempt(_ id: UInt64) {
        guard self.journalOn, let source = self.jobs[id]?.source, self.journal.jobAttempt[id] == nil, self.isKeyed(source) else { return }
        let at = self.journal.end[source.topicPartition, default: 0]
        self.journal.end[source.topicPartition] = at + 1
        self.journal.jobAttempt[id] = at
        self.journal.attemptAt[source] = min(self.journal.attemptAt[source] ?? at, at)
    }

    /// A random running job's attempt is acknowledged now.
    mutating func writeSomeAttempt() {
        let waiting = self.jobs.keys.filter { self.journal.jobAttempt[$0] == nil }.sorted()
        if let id = waiting.randomElement(using: &self.random) { self.writeAttempt(id) }
    }

    /// What an ending job reports: its attempt, a close, and (without an outcome) what it leaves.
    mutating func journalReport(_ id: UInt64, source: RecordSource, finished: Bool) -> JobJournalReport? {
        defer { self.journal.inherited.remove(id) }
        guard self.journalOn, self.isKeyed(source) else { return nil }
        if finished || self.chance(50) { self.writeAttempt(id) }
        let attempt = self.journal.jobAttempt.removeValue(forKey: id)
        var report = JobJournalReport(attemptOffset: attempt)
        let mayHaveActed = attempt != nil && (finished || self.chance(50))
        if !finished && (mayHaveActed || self.journal.inherited.contains(id)) {
            self.journal.open.insert(source)
            report.leaving = .inDoubt(JournalLedger.InDoubt(member: "me", at: "\(id)"))
        } else {
            self.journal.open.remove(source)
            if attempt != nil { self.journal.end[source.topicPartition, default: 0] += 1 }    // the close
        }
        report.end = attempt == nil ? nil : self.journal.end[source.topicPartition]
        return report
    }

    /// What the journal read at assignment finds from the group's committed position on.
    func recovery(of partition: TopicPartition) -> JournalRecovery? {
        guard self.journalOn else { return nil }
        let from = self.committed[partition]?.offset ?? 0
        var recovery = JournalRecovery(end: self.journal.end[partition, default: 0])
        for (source, at) in self.journal.attemptAt where source.topicPartition == partition && source.offset >= from {
            recovery.attempts[source.offset] = at
        }
        for source in self.journal.open where source.topicPartition == partition && source.offset >= from {
            recovery.open[source.offset] = JournalRecovery.Open(attempt: JournalLedger.InDoubt(member: "me", at: "read"), mine: true)
        }
        return recovery
    }

    /// A started job inherits an in-doubt mark exactly when its record has an attempt left open.
    mutating func checkInherited(_ earlier: JournalLedger.Earlier?, job id: UInt64, source: RecordSource) throws {
        guard self.journalOn else { return try self.require(earlier == nil, "\(source) inherited \(String(describing: earlier)) without a journal") }
        let inDoubt = if case .inDoubt = earlier { true } else { false }
        try self.require(inDoubt == self.journal.open.contains(source),
                         "\(source) started \(inDoubt ? "in doubt, with no attempt open" : "without its open attempt's in-doubt mark")")
        if inDoubt { self.journal.inherited.insert(id) }
        if self.chance(30) { self.writeAttempt(id) }
    }

    /// Every commit with the journal on names a read start at or below every attempt of a record at or above
    /// its position (acknowledged ones included, reported or not).
    func checkJournalStarts(_ points: [TopicPartition: CommitPoint], _ starts: [TopicPartition: Int64]) throws {
        guard self.journalOn else { return try self.require(starts.isEmpty, "journal starts without a journal") }
        for (partition, point) in points {
            // Unknown only for a partition whose journal was not read yet (revoked while loading): the next owner
            // then reads the whole retained journal.
            guard let start = starts[partition] else {
                try self.require(self.loading[partition] != nil, "commit \(point) of \(partition) without a journal start")
                continue
            }
            for (source, at) in self.journal.attemptAt where source.topicPartition == partition && source.offset >= point.offset {
                try self.require(start <= at, "commit \(point) of \(partition) sends the next owner to \(start), past \(source)'s attempt at \(at)")
            }
        }
    }

    private func isKeyed(_ source: RecordSource) -> Bool { source.offset % 7 != 3 }
}
