import Foundation
import Kafka
import Logging

extension Worker {
    /// Polls once (up to 100 ms) and hands the records to the machine, parsed: a valid request queues behind
    /// its ordering key; anything else becomes dead-letter work.
    func pollOnce() async {
        while self.pollsHang.load(ordering: .relaxed), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
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
            self.inbox.send(.fatalError("the Kafka consumer failed fatally: \(error)"))
        }
    }

    /// Reads the committed positions and their metadata for newly assigned partitions, then their attempt
    /// journal (see ``recoverFromJournal(_:journal:deliver:)``). A read that fails is retried (see
    /// ``untilRead(_:partitions:epoch:_:)``): without the position's metadata and the journal, finished records
    /// above the position would be started again, so the partitions start nothing until both are read. Meanwhile
    /// they count as loading (`codetask_worker_partitions_loading`, and `/readyz` past the health's loading limit).
    func readCommitted(_ partitions: [TopicPartition], epoch: UInt64) async {
        self.updateLoading { $0.began(partitions, epoch: epoch, at: .now) }
        // Whatever was not delivered (the partitions are gone, the worker stops) stops loading too.
        defer { self.updateLoading { $0.ended(partitions, epoch: epoch) } }
        let read = try? await self.untilRead(.committedOffsets, partitions: partitions, epoch: epoch) {
            try await self.consumer.committedOffsets(for: partitions, timeout: .seconds(5))
        }
        guard let read else { return }
        let positions = read.map { position in
            CommittedPosition(
                partition: position.topicPartition, epoch: epoch,
                point: position.offset.map { offset in
                    CommitPoint(offset: offset, finished: CommitMetadata.decode(position.metadata, offset: offset))
                },
                journalStart: CommitMetadata.journalStart(in: position.metadata))
        }
        let deliver = { (position: CommittedPosition) in
            self.inbox.send(.committedRead(position.partition, epoch: epoch, position.point, journal: position.journal))
            self.updateLoading { $0.ended([position.partition], epoch: epoch) }
        }
        if let journal = self.journal {
            await self.recoverFromJournal(positions, journal: journal, deliver: deliver)
        } else {
            positions.forEach(deliver)
        }
    }

    /// A read at assignment ended without a result: the partitions are gone or the worker stops.
    struct ReadAbandoned: Error {}

    /// Runs `read` until it succeeds, while this member still owns one of `partitions` (of the assignment of
    /// `epoch`) and is not stopping: a broker outage during a rebalance holds the partitions, it does not make them
    /// start finished records again. Each failure counts in `codetask_worker_assignment_read_failures_total` and is
    /// retried after a growing pause; reads failing past the health's loading limit are logged at error level
    /// every few tries (see ``ReadRetry``) while `/readyz` names the partitions; reads failing past
    /// ``WorkerConfiguration/assignmentReadLimit`` stop the worker with an error naming them.
    /// - Throws: ``ReadAbandoned`` once the partitions are gone, the worker stops, or the reads are given up.
    func untilRead<Result: Sendable>(
        _ what: AssignmentRead, partitions: [TopicPartition], epoch: UInt64, _ read: () async throws -> Result
    ) async throws(ReadAbandoned) -> Result {
        var retry = ReadRetry(
            began: .now, escalateAfter: self.health.loadingLimit, giveUpAfter: self.configuration.assignmentReadLimit)
        while true {
            do {
                return try await read()
            } catch {
                let owned = self.consumer.assignment
                guard !self.isStopping, !Task.isCancelled, partitions.contains(where: owned.contains) else { throw ReadAbandoned() }
                self.metrics.assignmentReadFailed(what)
                self.updateLoading { loading in
                    loading.failed(partitions, epoch: epoch)
                    loading.ended(partitions.filter { !owned.contains($0) }, epoch: epoch)
                }
                let step = retry.failed(now: .now)
                guard !step.givesUp else {
                    self.inbox.send(.fatalError(
                        "reading \(what.description) of \(partitions.sorted()) failed for \(WorkerHealth.seconds(self.configuration.assignmentReadLimit)) s "
                            + "(assignment-read-limit; failed tries: \(retry.failures), the last: \(error)): stopping, so that the group "
                            + "assigns them to a member that can read them"))
                    throw ReadAbandoned()
                }
                let message: Logger.Message = step.escalated
                    ? "Reading \(what.description) failed for longer than the loading limit; still retrying (the partitions start nothing until it is read)"
                    : "Reading \(what.description) failed; retrying (the partitions start nothing until it is read)"
                self.logger.log(
                    level: step.level, message,
                    metadata: ["error": "\(error)", "attempt": "\(retry.failures)", "partitions": "\(partitions.sorted())"])
                try? await Task.sleep(for: step.delay)
            }
        }
    }

    /// Updates the partitions loading (kept by ``WorkerHealth`` for readiness) and the gauge that counts them.
    func updateLoading(_ update: (inout PartitionLoading) -> Void) {
        self.health.loading(update) { self.metrics.partitionsLoading.record($0) }
    }

    /// Commits positions with the finished offsets above them, and where each partition's journal is to be read
    /// from, in the metadata.
    func commit(
        _ points: [TopicPartition: CommitPoint], journalStarts: [TopicPartition: Int64], context: String
    ) async -> Core.CommitResult {
        guard !points.isEmpty else { return .succeeded }
        let positions = points.map { partition, point in
            TopicPartitionOffset(
                partition, offset: point.offset, metadata: CommitMetadata.encode(point, journalStart: journalStarts[partition]))
        }
        do {
            try await self.consumer.commit(positions)
            self.metrics.commitEnded("succeeded")
            self.metrics.partitions.commitAcknowledged(
                points.mapValues(\.offset), cachedEnd: { self.consumer.cachedEndOffset(of: $0) }, at: .now)
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

    /// Commits, retrying a refused commit until `until` (a revocation's budget).
    func commitRetrying(
        _ points: [TopicPartition: CommitPoint], journalStarts: [TopicPartition: Int64], until: ContinuousClock.Instant,
        context: String
    ) async {
        var delay = Duration.milliseconds(100)
        while await self.commit(points, journalStarts: journalStarts, context: context) != .succeeded {
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

    /// Reads a partition's committed position back after a commit that carried metadata (the machine asks once
    /// per worker): whether the broker keeps commit metadata (Apache Kafka keeps up to
    /// `offset.metadata.max.bytes`; Tansu 0.6.0 drops it).
    /// - Returns: The event for the machine: ``WorkerCore/Event/commitReadBackFailed`` when the position is
    ///   unreadable or another commit came in between (the machine asks again after a later commit).
    func readBackCommit(_ partition: TopicPartition, _ point: CommitPoint) async -> Core.Event {
        guard let read = try? await self.consumer.committedOffsets(for: [partition], timeout: .seconds(5)).first,
            read.offset == point.offset
        else { return .commitReadBackFailed }
        let kept = CommitMetadata.isWritten(by: read.metadata)
        if !kept {
            self.logger.warning(self.journal == nil
                ? "The broker does not keep commit metadata and the attempt journal is off: revocations and stops finish the records below each partition's highest started one, so the next owner starts nothing twice"
                : "The broker does not keep commit metadata: the attempt journal records checkpoints after commits, from which the next owner reads what was finished above the committed position")
        }
        return .commitMetadataKept(kept)
    }

    /// Samples the owned partitions' lag, committed positions and commit ages (see ``PartitionGauges``); the end
    /// offsets are asked of the partitions' leaders, so the lag moves while commits fail or fetching is paused.
    /// The same answer tells readiness whether the brokers answer (with nothing owned, one input partition is asked).
    func samplePartitionGauges(committed: [TopicPartition: Int64?]) async {
        let asked = committed.isEmpty ? [TopicPartition(topic: self.configuration.topics.input, partition: 0)] : Array(committed.keys)
        var ends: [TopicPartition: Int64] = [:]
        do {
            ends = try await self.consumer.endOffsets(of: asked, timeout: PartitionGauges.queryTimeout)
            self.health.recordKafka(
                answered: !ends.isEmpty,
                detail: ends.isEmpty ? "no partition leader answered" : "partition leaders answered (\(ends.count) of \(asked.count))")
        } catch {
            self.health.recordKafka(
                answered: false, detail: "end offsets not answered within \(WorkerHealth.seconds(PartitionGauges.queryTimeout)) s: \(error)")
        }
        let lagging = self.metrics.partitions.record(committed: committed, ends: ends, now: .now)
        if !ends.isEmpty { self.health.recordLagging(lagging) }
    }
}
