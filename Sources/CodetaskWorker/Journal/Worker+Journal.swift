import Foundation
import InformaticaClient
import Kafka
import Logging

/// What a Start job has done about its journal attempt.
struct JournalAttemptState: Sendable {
    /// The attempt is recorded (acknowledged by the broker).
    var written: Bool { self.attemptOffset != nil }
    /// The attempt's journal offset, once recorded.
    var attemptOffset: Int64?
    /// One past the highest journal offset this job wrote.
    var end: Int64?
    /// When it was recorded, ISO 8601.
    var at = ""
    /// A request may have reached Informatica (sent without a readable answer, or answered 2xx): without a
    /// published outcome, the record is then in doubt.
    var mayHaveActed = false
    /// The outcome's event is stored in an acknowledged `answered` close: whatever happens to its publish, the
    /// record's next job publishes it again and starts nothing.
    var answered: KafkaOutgoingMessage?
    /// The earlier attempt in doubt this job inherited (under `--in-doubt retry`): until an outcome is published,
    /// the record stays in doubt whatever this job did.
    var inherited: JournalLedger.InDoubt?

    /// An entry of this job was acknowledged at `offset`.
    mutating func wrote(_ offset: Int64) {
        self.end = max(self.end ?? 0, offset &+ 1)
    }

    /// What the job reports to the worker core, leaving `left` for the record's next job.
    func report(leaving left: JournalLedger.Earlier? = nil) -> JobJournalReport {
        JobJournalReport(attemptOffset: self.attemptOffset, end: self.end, leaving: left)
    }
}

/// How a job ended: whether its outcome is durable, what it wrote to the attempt journal, and whether it was held
/// (Informatica judged down: the worker core starts the record again when the breaker admits calls).
struct JobEnd: Sendable {
    var finished: Bool
    var journal: JobJournalReport?
    var held: WorkerCore<RecordWork>.Held?
}

extension Worker {
    /// A newly assigned partition's committed position, with where its journal is to be read from.
    struct CommittedPosition: Sendable {
        var partition: TopicPartition
        /// The worker core's ownership epoch the position was read for.
        var epoch: UInt64
        var point: CommitPoint?
        var journalStart: Int64?
        /// What the partition's journal says from the position on, once read.
        var journal: JournalRecovery?
    }

    /// Reads the journals of newly assigned partitions before any of their records starts: records whose
    /// outcome was published count as finished (added to the point's finished offsets), records whose outcome is
    /// stored in an `answered` close are decided (their next job publishes it again), and attempts without an
    /// outcome become in doubt for their next job. A partition with another member's open attempt is read again
    /// for up to ``AttemptJournal/settleTime`` on this member's clock (that member may still publish its answer;
    /// no other member's timestamp is compared with this clock); the others are
    /// handed on at once. A journal that cannot be read is read again until it can (the partitions start
    /// nothing meanwhile: without it, finished records would be started again); so is a checkpoint search that
    /// fails. Positions read for an assignment that has been replaced meanwhile are not delivered.
    /// - Parameter deliver: Receives each position, with the journal's finished offsets merged in, once its
    ///   journal is settled.
    func recoverFromJournal(
        _ positions: [CommittedPosition], journal: AttemptJournal, deliver: (CommittedPosition) -> Void
    ) async {
        let began = ContinuousClock.now
        var starts: [TopicPartition: Int64?] = [:]
        for position in positions {
            var start = position.journalStart
            if start == nil, let committed = position.point?.offset {
                do {
                    start = try await self.checkpointStart(
                        of: position, committed: committed, holding: positions.map(\.partition), journal: journal)
                } catch {
                    return    // the partitions are gone or the worker stops: nothing of them may start
                }
            }
            starts[journal.journalPartition(of: position.partition)] = start
        }
        // nil: the partitions are gone or the worker stops; nothing of them may start.
        let epoch = positions.first?.epoch ?? 0
        guard let first = await self.readJournal(starts, epoch: epoch, journal: journal) else { return }
        var waiting: [TopicPartition: (position: CommittedPosition, scan: JournalScan)] = [:]
        for position in positions {
            var scan = JournalScan()
            if let stretch = first[journal.journalPartition(of: position.partition)] {
                scan.apply(stretch.records, end: stretch.end, input: position.partition, committed: position.point)
            }
            waiting[position.partition] = (position, scan)
        }
        var counts = SettleCounts()
        while true {
            let settling = !self.isStopping && ContinuousClock.now < began + journal.settleTime
            for (partition, entry) in waiting where !settling || entry.scan.foreignOpenAttempts(notBy: journal.member) == 0 {
                waiting[partition] = nil
                deliver(self.settle(entry.position, entry.scan, journal: journal, counts: &counts))
            }
            guard !waiting.isEmpty else { break }
            try? await Task.sleep(for: .milliseconds(250))
            let tails = Dictionary(uniqueKeysWithValues: waiting.map { (journal.journalPartition(of: $0.key), $0.value.scan.end) })
            guard let more = await self.readJournal(tails, epoch: epoch, journal: journal) else { continue }
            for (partition, entry) in waiting {
                guard let stretch = more[journal.journalPartition(of: partition)] else { continue }
                waiting[partition]!.scan.apply(stretch.records, end: stretch.end, input: partition, committed: entry.position.point)
            }
        }
        let elapsed = ContinuousClock.now - began
        self.metrics.journalRecoveryDuration.recordNanoseconds(elapsed.wholeNanoseconds)
        // Worth a notice when it changed what happens: records skipped as finished, or found in doubt.
        self.logger.log(
            level: counts.open + counts.finished + counts.decided > 0 ? .notice : .info,
            "Attempt journal read",
            metadata: [
                "partitions": "\(positions.map(\.partition).sorted())", "openAttempts": "\(counts.open)",
                "finishedUncommitted": "\(counts.finished)", "decided": "\(counts.decided)", "durationMs": "\(elapsed.wholeMilliseconds)",
                "readFrom": "\(starts.sorted { $0.key < $1.key }.map { "\($0.key.partition):\($0.value.map(String.init) ?? "first")" })",
                "recordsRead": "\(first.values.reduce(0) { $0 + $1.records.count })",
                "committed": "\(positions.sorted { $0.partition < $1.partition }.map { "\($0.partition.partition):\($0.point?.offset.description ?? "none")" })",
            ])
    }

    /// What recovery found, for its log line.
    struct SettleCounts {
        var open = 0, finished = 0, decided = 0
    }

    /// A partition's journal as read, for the worker core: its closed attempts finished (merged into the
    /// position's finished offsets), its `answered` closes decided, its open attempts, and where its attempts
    /// are (see ``JournalLedger/recovered(_:running:)``). A decided record is not finished: it runs again, as a
    /// job that publishes the stored event, and is committed after that.
    private func settle(
        _ position: CommittedPosition, _ scan: JournalScan, journal: AttemptJournal, counts: inout SettleCounts
    ) -> CommittedPosition {
        let recovery = JournalRecovery(scan, member: journal.member, outputTopic: self.configuration.topics.output)
        let finished = scan.finished.filter { $0 >= position.point?.offset ?? 0 && scan.answered[$0] == nil }
        counts.open += recovery.open.count
        counts.decided += recovery.decided.count
        counts.finished += finished.count
        var settled = position
        settled.journal = recovery
        guard !finished.isEmpty else { return settled }
        var point = position.point ?? CommitPoint(offset: 0, finished: [])
        point.finished.formUnion(finished)
        settled.point = point
        return settled
    }

    /// Where to read an input partition's journal when its commit carried no read start (brokers that drop commit
    /// metadata): the start recorded by the latest checkpoint at or below the `committed` offset, searched
    /// backwards from the journal's end in growing windows, so the read is bounded by the work since the last
    /// checkpoint, not by the journal's history. `nil` (the whole retained journal is read) when there is no such
    /// checkpoint. A read that fails is retried like every read at assignment (see ``untilRead(_:partitions:epoch:_:)``)
    /// while one of the partitions it holds (`batch`, read together) is still owned.
    /// - Throws: ``ReadAbandoned`` once the partitions are gone or the worker stops.
    private func checkpointStart(
        of position: CommittedPosition, committed: Int64, holding batch: [TopicPartition], journal: AttemptJournal
    ) async throws(ReadAbandoned) -> Int64? {
        let input = position.partition
        let partition = journal.journalPartition(of: input)
        let marks = try await self.untilRead(.journalCheckpoint, partitions: batch, epoch: position.epoch) {
            try await journal.reader.watermarks(of: partition, timeout: journal.readTimeout)
        }
        var window = AttemptJournal.checkpointWindow
        while true {
            // Watermarks come from the broker: a window reaching below Int64.min starts at the low watermark.
            let (back, overflow) = marks.high.subtractingReportingOverflow(window)
            let from = overflow ? marks.low : max(marks.low, back)
            let read = try await self.untilRead(.journalCheckpoint, partitions: batch, epoch: position.epoch) {
                try await journal.reader.read(from: [partition: from], timeout: journal.readTimeout)
            }
            guard let stretch = read[partition] else { return nil }
            self.count { $0.journalRecordsRead += stretch.records.count }
            if let start = JournalScan.latestCheckpoint(in: stretch.records, input: input, atOrBelow: committed) { return start }
            guard from > marks.low else { return nil }
            window = window.multipliedReportingOverflow(by: 8).overflow ? .max : window * 8
        }
    }

    /// After a commit, on a broker not known to keep commit metadata (the machine asks): a checkpoint per
    /// partition in the journal (its committed offset and journal read start), so that the next owner reads the
    /// journal from there (see ``checkpointStart(of:committed:holding:journal:)``).
    func writeCheckpoints(_ checkpoints: [TopicPartition: JournalLedger.Checkpoint], journal: AttemptJournal) async {
        for (partition, checkpoint) in checkpoints.sorted(by: { $0.key < $1.key }) {
            let source = RecordSource(topic: partition.topic, partition: partition.partition, offset: checkpoint.committed)
            let entry = journal.entry(.checkpoint, source, requestId: nil, journalStart: checkpoint.start)
            _ = await self.publisher.publish(entry.message(journalTopic: journal.topic))
        }
    }

    /// One journal read, retried until it succeeds (see ``untilRead(_:partitions:epoch:_:)``).
    /// - Returns: `nil` once the partitions are gone or the worker stops.
    private func readJournal(
        _ starts: [TopicPartition: Int64?], epoch: UInt64, journal: AttemptJournal
    ) async -> [TopicPartition: KafkaPartitionStretch]? {
        let inputs = starts.keys.map { TopicPartition(topic: self.configuration.topics.input, partition: $0.partition) }
        let read = try? await self.untilRead(.journal, partitions: inputs, epoch: epoch) {
            try await journal.reader.read(from: starts, timeout: journal.readTimeout)
        }
        if let read { self.count { $0.journalRecordsRead += read.values.reduce(0) { $0 + $1.records.count } } }
        return read
    }

    /// Records the attempt for `request` before its first Start request and waits for the broker.
    /// - Returns: `false` when it could not be recorded (the job was cancelled, or the journal refuses records,
    ///   which stops the worker): no request may then be sent.
    func recordAttempt(_ request: StartRequest, _ state: inout JournalAttemptState, journal: AttemptJournal) async -> Bool {
        let entry = journal.entry(.attempt, request.source, requestId: request.requestId)
        switch await self.publisher.publish(entry.message(journalTopic: journal.topic)) {
        case .acknowledged(let offset):
            state.attemptOffset = offset
            state.wrote(offset)
            state.at = entry.at
            CrashPoint.reach(.afterAttempt)
            return true
        case .refused(let error):
            self.publisher.failFatally("the attempt journal \(journal.topic) refuses records: \(error)")
            return false
        case .abandoned:
            return false
        }
    }

    /// Closes a job's journal attempt: with an outcome published (`finished`), or released when Informatica
    /// certainly did not act on it (and no earlier attempt left the record in doubt); otherwise it stays open and
    /// the record is in doubt should it start again. An attempt already closed `answered` needs nothing more;
    /// unpublished, its event is what the next job publishes.
    /// - Returns: How the job ended, with what it wrote and left for the worker core.
    func settleAttempt(_ state: JournalAttemptState, request: StartRequest, finished: Bool, journal: AttemptJournal) async
        -> JobEnd
    {
        var state = state
        guard !finished else {
            if state.written && state.answered == nil, let offset = await self.closeAttempt(.outcome, request, journal: journal) {
                state.wrote(offset)
            }
            return JobEnd(finished: true, journal: state.report())
        }
        if let event = state.answered { return JobEnd(finished: false, journal: state.report(leaving: .decided(event: event))) }
        if state.written && state.mayHaveActed {
            let own = JournalLedger.InDoubt(member: journal.member, at: state.at)
            return JobEnd(finished: false, journal: state.report(leaving: .inDoubt(own)))
        }
        if let inherited = state.inherited {
            // This job did nothing Informatica may have acted on, but an earlier attempt may have: its open
            // attempt must stay open (a `released` close would hide it from the next owner).
            return JobEnd(finished: false, journal: state.report(leaving: .inDoubt(inherited)))
        }
        if state.written, let offset = await self.closeAttempt(.released, request, journal: journal) { state.wrote(offset) }
        return JobEnd(finished: false, journal: state.report())
    }

    /// Writes the `answered` close carrying the outcome's `event` before the event is published (see
    /// ``JournalEntry``): from its acknowledgement on, no member starts the code task again for this record.
    /// - Returns: The close's journal offset once acknowledged; `nil` otherwise. When the journal refuses it (a
    ///   journal topic whose record size limit is below the event's), the event is published first and the
    ///   attempt closed after it, as without a stored outcome: a kill between the two then leaves the record in
    ///   doubt.
    func closeAnswered(_ request: StartRequest, event: KafkaOutgoingMessage, journal: AttemptJournal) async -> Int64? {
        let entry = journal.entry(.answered, request.source, requestId: request.requestId)
        switch await self.publisher.publish(entry.answeredMessage(journalTopic: journal.topic, event: event)) {
        case .acknowledged(let offset):
            return offset
        case .refused(let error):
            self.logger.warning(
                "The journal refused the close carrying the outcome; publishing the event first",
                metadata: request.logMetadata.merging(["error": "\(error)"]) { $1 })
            return nil
        case .abandoned:
            return nil
        }
    }

    /// A record whose outcome an earlier attempt stored in the journal: its event is published again (the same
    /// bytes and `ce_id`; downstream may see it twice, never two outcomes) and nothing is started.
    /// - Returns: Whether the event is durable.
    func publishDecided(_ request: StartRequest, event: KafkaOutgoingMessage) async -> Bool {
        guard await self.publishOrDeadLetter(event, source: request.source) else { return false }
        self.count { $0.republished += 1 }
        self.metrics.journalRepublished.increment()
        self.logger.info("Outcome stored by an earlier attempt; its event published again, nothing started", metadata: request.logMetadata)
        return true
    }

    /// Writes a close entry (best effort: an attempt left open is judged in doubt by the next owner, never lost).
    /// - Returns: Its journal offset once acknowledged.
    func closeAttempt(_ kind: JournalEntry.Kind, _ request: StartRequest, journal: AttemptJournal) async -> Int64? {
        let entry = journal.entry(kind, request.source, requestId: request.requestId)
        guard case .acknowledged(let offset) = await self.publisher.publish(entry.message(journalTopic: journal.topic)) else { return nil }
        return offset
    }

    /// An in-doubt record under the `fail` policy: a `codetask.start.failed` event of category `in_doubt` naming
    /// the earlier attempt, and no Start call.
    /// - Returns: How the job ended: unpublished (the worker stops), the record's next job here inherits what is
    ///   known (the stored event, or the same doubt).
    func failInDoubt(_ request: StartRequest, _ attempt: JournalLedger.InDoubt, journal: AttemptJournal) async -> JobEnd {
        self.logger.warning(
            "Earlier attempt in doubt; not starting the code task again (in-doubt policy fail)",
            metadata: request.logMetadata.merging(["attemptedBy": "\(attempt.member)", "attemptedAt": "\(attempt.at)"]) { $1 })
        let failure = StartFailure(inDoubtSince: attempt)
        let event = self.events.failed(request, failure)
        var state = JournalAttemptState()
        let answered = await self.closeAnswered(request, event: event, journal: journal)
        if let answered { state.wrote(answered) }
        guard await self.publishOrDeadLetter(event, source: request.source) else {
            return JobEnd(finished: false, journal: state.report(leaving: answered != nil ? .decided(event: event) : .inDoubt(attempt)))
        }
        self.count { $0.failed += 1 }
        self.metrics.eventPublished("failed")
        self.metrics.startFailed(failure.category)
        if answered == nil, let offset = await self.closeAttempt(.outcome, request, journal: journal) { state.wrote(offset) }
        return JobEnd(finished: true, journal: state.report())
    }
}
