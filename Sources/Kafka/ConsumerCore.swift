internal import CRdKafka
import Dispatch
import Logging
import Synchronization

/// The part of a consumer that librdkafka's rebalance callback reaches: partition state, the listener
/// and the commit-on-revoke rule. It holds no reference to the C handle, so there is no retain cycle.
final class ConsumerCore: Sendable {
    let state = Mutex(ConsumerState())
    let listener: KafkaRebalanceListener?
    let commitStoredOffsetsOnRevoke: Bool
    let logger: Logger

    init(listener: KafkaRebalanceListener?, commitStoredOffsetsOnRevoke: Bool, logger: Logger) {
        self.listener = listener
        self.commitStoredOffsetsOnRevoke = commitStoredOffsetsOnRevoke
        self.logger = logger
    }

    /// Installs the C rebalance callback, which forwards to the core registered on the handle's context
    /// (or applies the assignment change directly when none is registered, e.g. during destruction).
    static func installRebalanceCallback(on conf: OpaquePointer) {
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, list, _ in
            guard let rk, let list else { return }
            let core = ClientContext.from(rk)?.rebalance.withLock { $0 }
            if let core {
                core.rebalance(rk, err, list)
            } else {
                ConsumerCore.applyAssignmentChange(rk, err, list, logger: nil)
            }
        }
        rd_kafka_conf_set_offset_commit_cb(conf) { rk, err, _, _ in
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
            ClientContext.from(rk)?.logger.warning("offset commit failed", metadata: [
                LogKey.error: "\(KafkaError(err))"])
        }
    }

    /// Runs on the polling thread inside `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`.
    private func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                           _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = PartitionList.positions(of: list).map(\.topicPartition)
        let kind: RebalanceStep.Kind
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            kind = .assign
            logger.info("partitions assigned", metadata: [LogKey.partitions: "\(partitions.sorted())"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            kind = .revoke(lost: lost)
            logger.info(lost ? "partitions lost" : "partitions revoked",
                        metadata: [LogKey.partitions: "\(partitions.sorted())"])
        default:
            kind = .failed
            logger.warning("rebalance error; the assignment is dropped (reported as lost)",
                           metadata: [LogKey.error: "\(KafkaError(err))"])
        }
        let assigned = state.withLock { $0.assigned }
        for step in RebalanceStep.plan(kind, partitions: partitions, assigned: assigned,
                                       commitOnRevoke: commitStoredOffsetsOnRevoke) {
            perform(step, rk, err, list)
        }
    }

    private func perform(_ step: RebalanceStep, _ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                         _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        switch step {
        case .recordAssigned(let partitions):
            state.withLock { $0.assign(partitions) }
        case .forget(let partitions):
            state.withLock { $0.revoke(partitions) }
        case .notify(let event):
            notify(event)
        case .commitStored:
            let result = rd_kafka_commit(rk, nil, 0)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR && result != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.warning("commit on revocation failed", metadata: [LogKey.error: "\(KafkaError(result))"])
            }
        case .applyChange:
            Self.applyAssignmentChange(rk, err, list, logger: logger)
        case .resume:
            // A partition this member paused before it was revoked can come back still paused inside
            // librdkafka; a newly assigned partition always starts fetching (the application pauses it again).
            _ = rd_kafka_resume_partitions(rk, list)
        case .unassignAll:
            _ = rd_kafka_assign(rk, nil)
        }
    }

    /// Waits on this (non-cooperative) polling thread for the async listener to finish.
    private func notify(_ event: KafkaRebalanceEvent) {
        guard let listener else { return }
        let done = DispatchSemaphore(value: 0)
        // Bridge from a C callback on a dedicated thread into async code; the semaphore keeps it scoped.
        Task {
            await listener(event)
            done.signal()
        }
        done.wait()
    }

    /// Applies an assignment change the way the group's protocol requires (incremental for cooperative).
    private static func applyAssignmentChange(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                                              _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                                              logger: Logger?) {
        // NULL before the first join and while the handle is closing: the consumer is configured for
        // cooperative-sticky, so try the incremental call first and fall back to the eager one if refused.
        let protocolName = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) }
        let assigning = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
        var failure: KafkaError?
        if protocolName != "EAGER" {
            let error = assigning ? rd_kafka_incremental_assign(rk, list) : rd_kafka_incremental_unassign(rk, list)
            failure = error.map { KafkaError(consuming: $0) }
            if failure != nil && protocolName == nil {
                let result = rd_kafka_assign(rk, assigning ? list : nil)
                failure = result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(result)
            }
        } else {
            let result = rd_kafka_assign(rk, assigning ? list : nil)
            failure = result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(result)
        }
        if let failure {
            logger?.error("applying the assignment failed", metadata: [LogKey.error: "\(failure)"])
        }
    }
}
