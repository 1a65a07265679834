import Foundation
import Kafka
import Logging

extension Worker {
    /// Polls once (up to 100 ms) and hands the records to the machine, parsed: a valid request queues behind
    /// its ordering key; anything else becomes dead-letter work.
    func pollOnce() async {
        do {
            let batch = try await self.consumer.poll(timeout: .milliseconds(100))
            self.metrics.recordsConsumed.increment(by: batch.count)
            let records = batch.map { message -> IncomingRecord<RecordWork> in
                let source = RecordSource(message)
                switch self.parser.parse(message) {
                case .success(let request):
                    return IncomingRecord(source: source, orderingKey: request.orderingKey, payload: .start(
                            request, recordTime: message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) },
                            trace: RecordTracing.context(of: message.headers, tracer: self.tracer)))
                case .failure(let rejection):
                    self.logger.info(
                        "Invalid request; dead-lettering it",
                        metadata: source.logMetadata.merging(["reason": "\(rejection.reason)", "detail": "\(rejection.message)"]) { $1 })
                    return IncomingRecord(source: source, orderingKey: nil, payload: .deadLetter(message, rejection))
                }
            }
            self.inbox.send(.polled(records))
        } catch {
            self.inbox.send(.fatalError("\(error)"))
        }
    }

    /// Reads the committed positions and their metadata for newly assigned partitions, then their attempt
    /// journal (see ``recoverFromJournal(_:journal:deliver:)``). A read that fails is retried (see
    /// ``untilRead(_:partitions:_:)``): without the position's metadata and the journal, finished records above the
    /// position would be started again, so the partitions start nothing until both are read.
    func readCommitted(_ partitions: [TopicPartition], epoch: UInt64) async {
        let read = await self.untilRead("committed offsets", partitions: partitions) {
            try await self.consumer.committedOffsets(for: partitions, timeout: .seconds(5))
        }
        guard let read else { return }
        let positions = read.map { position in
            CommittedPosition(
                partition: position.topicPartition,
                point: position.offset.map { offset in
                    CommitPoint(offset: offset, finished: CommitMetadata.decode(position.metadata, offset: offset))
                },
                journalStart: CommitMetadata.journalStart(in: position.metadata))
        }
        let deliver = { (position: CommittedPosition) in
            self.inbox.send(.committedRead(position.partition, epoch: epoch, position.point))
        }
        if let journal = self.journal {
            await self.recoverFromJournal(positions, journal: journal, deliver: deliver)
        } else {
            positions.forEach(deliver)
        }
    }

    /// Runs `read` until it succeeds, with a growing pause between tries (200 ms more each time, at most 2 s),
    /// while this member still owns one of `partitions` and is not stopping (a broker outage during a rebalance
    /// holds the partitions, it does not make them start finished records again).
    /// - Returns: The read, or `nil` once the partitions are gone or the worker stops.
    func untilRead<Result: Sendable>(
        _ what: String, partitions: [TopicPartition], _ read: () async throws -> Result
    ) async -> Result? {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await read()
            } catch {
                let owned = self.consumer.assignment
                guard !self.isStopping, !Task.isCancelled, partitions.contains(where: owned.contains) else { return nil }
                // A notice for a blip, a warning once it lasts (then every tenth try).
                let level: Logger.Level = attempt < 3 ? .notice : (attempt % 10 == 3 ? .warning : .info)
                self.logger.log(
                    level: level, "Reading \(what) failed; retrying (the partitions start nothing until it is read)",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)", "partitions": "\(partitions.sorted())"])
                try? await Task.sleep(for: .milliseconds(min(200 * attempt, 2_000)))
            }
        }
    }

    /// Commits positions with the finished offsets above them in the metadata.
    func commit(_ points: [TopicPartition: CommitPoint], context: String) async -> Core.CommitResult {
        guard !points.isEmpty else { return .succeeded }
        let positions = points.map { partition, point in
            TopicPartitionOffset(partition, offset: point.offset, metadata: self.commitMetadata(point, of: partition))
        }
        do {
            try await self.consumer.commit(positions)
            self.metrics.commitEnded("succeeded")
            for (partition, point) in points {
                self.metrics.committed(partition, offset: point.offset, endOffset: self.consumer.cachedEndOffset(of: partition))
            }
            return .succeeded
        } catch {
            // Refused during a rebalance or from a stale generation: the machine keeps the positions and
            // sends them again as soon as the group allows.
            self.logger.info("Commit refused; it is retried", metadata: ["error": "\(error)", "commit": "\(context)"])
            let refused = error.isGroupMembershipRefusal
            self.metrics.commitEnded(refused ? "refused_by_group" : "failed")
            return refused ? .refusedByGroup : .failed
        }
    }

    /// The metadata committed with a position: the finished offsets above it, and where the partition's journal
    /// is to be read from.
    func commitMetadata(_ point: CommitPoint, of partition: TopicPartition) -> String? {
        CommitMetadata.encode(point, journalStart: self.journal?.ledger.readStart(partition, committed: point.offset))
    }

    /// Commits, retrying a refused commit until `until` (a revocation's budget).
    func commitRetrying(_ points: [TopicPartition: CommitPoint], until: ContinuousClock.Instant, context: String) async {
        var delay = Duration.milliseconds(100)
        while await self.commit(points, context: context) != .succeeded {
            guard ContinuousClock.now + delay < until else {
                self.logger.warning(
                    "Commit on revocation failed; the next owner redoes these records",
                    metadata: ["positions": "\(points.keys.sorted())"])
                return
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// Once per worker, after the first commit that carried metadata: reads it back and tells the machine
    /// whether the broker keeps commit metadata (Apache Kafka keeps up to `offset.metadata.max.bytes`; Tansu
    /// 0.6.0 drops it). Until then the machine assumes it does not.
    func checkCommitMetadataKept(_ points: [TopicPartition: CommitPoint]) async {
        // A commit carried metadata when it had finished offsets above its position or a journal read start.
        guard let partition = points.first(where: { self.journal != nil || CommitMetadata.encode($0.value) != nil })?.key
        else { return }
        guard !self.metadataChecked.exchange(true, ordering: .relaxed) else { return }
        guard let read = try? await self.consumer.committedOffsets(for: [partition], timeout: .seconds(5)).first,
            read.offset == points[partition]?.offset
        else {
            // Unreadable, or another commit came in between: check again after the next one.
            self.metadataChecked.store(false, ordering: .relaxed)
            return
        }
        let kept = CommitMetadata.isWritten(by: read.metadata)
        self.commitMetadataKept.store(kept, ordering: .relaxed)
        if !kept {
            self.logger.warning(
                "The broker does not keep commit metadata: revocations and stops finish the records below each partition's highest started one, so the next owner starts nothing twice; the attempt journal records checkpoints after commits, from which the next owner reads it")
        }
        self.inbox.send(.commitMetadataKept(kept))
    }
}
