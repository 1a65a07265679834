/// A change of a consumer's partition assignment, reported before the rebalance completes.
public enum KafkaRebalanceEvent: Sendable, Hashable {
    /// These partitions were added to the assignment; their records follow.
    case assigned([TopicPartition])
    /// These partitions are being taken away. The consumer waits for the listener to return (so in-flight work
    /// can be drained and offsets stored), then commits the stored offsets and gives the partitions up.
    case revoked([TopicPartition])
    /// These partitions were lost without a chance to commit (the session timed out); another member may
    /// already own them. Their in-flight work should be abandoned, not committed.
    case lost([TopicPartition])
}

/// Receives rebalance events; called on the consumer's polling thread, which waits for it to return.
/// It must not poll the same consumer (that would deadlock); committing and storing offsets are fine.
public typealias KafkaRebalanceListener = @Sendable (KafkaRebalanceEvent) async -> Void
