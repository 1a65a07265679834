import Foundation
import InformaticaClient
import Kafka
import Logging

/// What a Start job has done about its journal attempt.
struct JournalAttemptState: Sendable {
    /// The attempt is recorded (acknowledged by the broker).
    var written = false
    /// When it was recorded, ISO 8601.
    var at = ""
    /// A request may have reached Informatica (sent without a readable answer, or answered 2xx): without a
    /// published outcome, the record is then in doubt.
    var mayHaveActed = false
}

extension Worker {
    /// A newly assigned partition's committed position, with where its journal is to be read from.
    struct CommittedPosition: Sendable {
        var partition: TopicPartition
        var point: CommitPoint?
        var journalStart: Int64?
    }

    /// Reads the journals of newly assigned partitions before any of their records starts: records whose
    /// outcome was published count as finished (added to the point's finished offsets), and attempts without an
    /// outcome become in doubt for their next job. Another member's recent open attempt is read again for up
    /// to ``AttemptJournal/settleTime`` (it may still publish its answer). A journal that cannot be read is
    /// logged and skipped: the records are then processed as without a journal (at least once).
    /// - Returns: The positions with the journal's finished offsets merged in.
    func recoverFromJournal(_ positions: [CommittedPosition], journal: AttemptJournal) async -> [CommittedPosition] {
        let began = ContinuousClock.now
        var scans: [TopicPartition: JournalScan] = [:]
        let starts = Dictionary(uniqueKeysWithValues: positions.map { (journal.journalPartition(of: $0.partition), $0.journalStart) })
        guard let first = await self.readJournal(starts, journal: journal) else { return positions }
        for position in positions {
            var scan = JournalScan()
            if let stretch = first[journal.journalPartition(of: position.partition)] {
                scan.apply(stretch.records, end: stretch.end, input: position.partition, committed: position.point)
            }
            scans[position.partition] = scan
        }
        while !self.isStopping, ContinuousClock.now < began + journal.settleTime {
            let cutoff = Date() - journal.settleTime.secondsValue
            let unsettled = scans.filter { $0.value.recentForeignAttempts(notBy: journal.member, after: cutoff) > 0 }
            guard !unsettled.isEmpty else { break }
            try? await Task.sleep(for: .milliseconds(250))
            let tails = Dictionary(uniqueKeysWithValues: unsettled.map { (journal.journalPartition(of: $0.key), $0.value.end) })
            guard let more = await self.readJournal(tails, journal: journal) else { break }
            for position in positions where unsettled[position.partition] != nil {
                guard let stretch = more[journal.journalPartition(of: position.partition)] else { continue }
                scans[position.partition]!.apply(stretch.records, end: stretch.end, input: position.partition, committed: position.point)
            }
        }
        var recovered: [CommittedPosition] = []
        var inDoubtTotal = 0
        var finishedTotal = 0
        for var position in positions {
            let scan = scans[position.partition] ?? JournalScan()
            let partition = position.partition
            let inDoubt = scan.open.filter { offset, attempt in
                let source = RecordSource(topic: partition.topic, partition: partition.partition, offset: offset)
                return !(attempt.member == journal.member && journal.ledger.isActive(source))
            }.mapValues { JournalLedger.InDoubt(member: $0.member, at: $0.at) }
            journal.ledger.recovered(partition, scan: scan, inDoubt: inDoubt)
            inDoubtTotal += inDoubt.count
            let finished = scan.finished.filter { $0 >= position.point?.offset ?? 0 }
            finishedTotal += finished.count
            if !finished.isEmpty {
                var point = position.point ?? CommitPoint(offset: 0, finished: [])
                point.finished.formUnion(finished)
                position.point = point
            }
            recovered.append(position)
        }
        let elapsed = ContinuousClock.now - began
        self.metrics.journalRecoveryDuration.recordNanoseconds(elapsed.wholeNanoseconds)
        // Worth a notice when it changed what happens: records skipped as finished, or found in doubt.
        self.logger.log(
            level: inDoubtTotal + finishedTotal > 0 ? .notice : .info,
            "Attempt journal read",
            metadata: [
                "partitions": "\(positions.map(\.partition).sorted())", "inDoubt": "\(inDoubtTotal)",
                "finishedUncommitted": "\(finishedTotal)", "durationMs": "\(elapsed.wholeMilliseconds)",
            ])
        return recovered
    }

    /// One journal read, tried three times.
    private func readJournal(_ starts: [TopicPartition: Int64?], journal: AttemptJournal) async -> [TopicPartition: KafkaPartitionStretch]? {
        for attempt in 1...3 {
            do {
                return try await journal.reader.read(from: starts, timeout: journal.readTimeout)
            } catch {
                self.logger.warning("Reading the attempt journal failed", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                if self.isStopping { break }
                try? await Task.sleep(for: .milliseconds(500 * attempt))
            }
        }
        self.logger.error(
            "Attempt journal unreadable: these partitions go on without it (records whose outcome was published but not committed may be started again)",
            metadata: ["partitions": "\(starts.keys.sorted())"])
        return nil
    }

    /// Records the attempt for `request` before its first Start request and waits for the broker.
    /// - Returns: `false` when it could not be recorded (the job was cancelled, or the journal refuses records,
    ///   which stops the worker): no request may then be sent.
    func recordAttempt(_ request: StartRequest, _ state: inout JournalAttemptState, journal: AttemptJournal) async -> Bool {
        let entry = journal.entry(.attempt, request.source, requestId: request.requestId)
        switch await self.publisher.publish(entry.message(journalTopic: journal.topic)) {
        case .acknowledged(let offset):
            journal.ledger.written(.attempt, source: request.source, journalOffset: offset)
            journal.ledger.began(request.source)
            state.written = true
            state.at = entry.at
            return true
        case .refused(let error):
            self.publisher.failFatally("the attempt journal \(journal.topic) refuses records: \(error)")
            return false
        case .abandoned:
            return false
        }
    }

    /// Closes a job's journal attempt: with an outcome published (`finished`), or released when Informatica
    /// certainly did not act on it; otherwise it stays open and the record is in doubt should it start again.
    func settleAttempt(_ state: JournalAttemptState, request: StartRequest, finished: Bool, journal: AttemptJournal) async {
        guard state.written else { return }
        if !finished && state.mayHaveActed {
            journal.ledger.ended(request.source, inDoubt: JournalLedger.InDoubt(member: journal.member, at: state.at))
            return
        }
        journal.ledger.ended(request.source, inDoubt: nil)
        await self.closeAttempt(finished ? .outcome : .released, request, journal: journal)
    }

    /// Writes a close entry (best effort: an attempt left open is judged in doubt by the next owner, never lost).
    func closeAttempt(_ kind: JournalEntry.Kind, _ request: StartRequest, journal: AttemptJournal) async {
        let entry = journal.entry(kind, request.source, requestId: request.requestId)
        if case .acknowledged(let offset) = await self.publisher.publish(entry.message(journalTopic: journal.topic)) {
            journal.ledger.written(kind, source: request.source, journalOffset: offset)
        }
    }

    /// An in-doubt record under the `fail` policy: a `codetask.start.failed` event of category `in_doubt` naming
    /// the earlier attempt, and no Start call.
    /// - Returns: Whether the event is durable.
    func failInDoubt(_ request: StartRequest, _ attempt: JournalLedger.InDoubt, journal: AttemptJournal) async -> Bool {
        self.logger.warning(
            "Earlier attempt in doubt; not starting the code task again (in-doubt policy fail)",
            metadata: request.logMetadata.merging(["attemptedBy": "\(attempt.member)", "attemptedAt": "\(attempt.at)"]) { $1 })
        let failure = StartFailure(inDoubtSince: attempt)
        guard await self.publishOrDeadLetter(self.events.failed(request, failure), source: request.source) else { return false }
        self.count { $0.failed += 1 }
        self.metrics.eventPublished("failed")
        self.metrics.startFailed(failure.category)
        await self.closeAttempt(.outcome, request, journal: journal)
        return true
    }
}
