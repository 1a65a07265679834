/// One step of serving librdkafka's rebalance callback; ``RebalanceStep/plan(_:partitions:assigned:commitOnRevoke:)``
/// decides them (no I/O, so the order is testable) and ``ConsumerCore`` performs them in order.
enum RebalanceStep: Equatable {
    /// What the callback was called for.
    enum Kind: Equatable {
        /// Partitions added (`_ASSIGN_PARTITIONS`).
        case assign
        /// Partitions taken away (`_REVOKE_PARTITIONS`); `lost` when `rd_kafka_assignment_lost` says so.
        case revoke(lost: Bool)
        /// Any other code: the group's state is unknown and the whole assignment is dropped.
        case failed
    }

    /// Record the partitions as assigned (a new generation, see ``ConsumerState/assign(_:)``).
    case recordAssigned([TopicPartition])
    /// Forget the partitions (records of them fetched so far are dropped from now on).
    case forget([TopicPartition])
    /// Tell the listener, and wait for it.
    case notify(KafkaRebalanceEvent)
    /// Commit the stored offsets before giving the partitions up.
    case commitStored
    /// Apply the callback's own list to librdkafka (incremental or eager, as the protocol requires).
    case applyChange
    /// Resume the callback's partitions inside librdkafka (one paused before it was revoked comes back paused).
    case resume
    /// Unassign everything (`rd_kafka_assign(rk, NULL)`), as librdkafka asks after a rebalance error.
    case unassignAll

    /// The steps for a callback of `kind` about `partitions`, while `assigned` are assigned.
    ///
    /// A failed rebalance drops every assigned partition: the listener hears of them as lost before they are
    /// unassigned, so the application stops starting and committing work of partitions it no longer owns.
    static func plan(_ kind: Kind, partitions: [TopicPartition], assigned: Set<TopicPartition>,
                     commitOnRevoke: Bool) -> [RebalanceStep] {
        switch kind {
        case .assign:
            return [.recordAssigned(partitions), .applyChange, .resume, .notify(.assigned(partitions))]
        case .revoke(let lost):
            let commit: [RebalanceStep] = !lost && commitOnRevoke ? [.commitStored] : []
            return [.notify(lost ? .lost(partitions) : .revoked(partitions))] + commit + [.forget(partitions), .applyChange]
        case .failed:
            let dropped = assigned.sorted()
            guard !dropped.isEmpty else { return [.unassignAll] }
            return [.notify(.lost(dropped)), .forget(dropped), .unassignAll]
        }
    }
}
