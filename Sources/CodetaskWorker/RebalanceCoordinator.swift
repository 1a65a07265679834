import Kafka
import Logging
import Synchronization

/// Keeps the ledger in step with the group: new partitions are tracked; revoked ones stop taking work, their
/// work in progress is waited for (within the drain timeout) and their finished positions are stored, so the
/// consumer commits them before the partitions move; lost ones are dropped without a commit.
final class RebalanceCoordinator: Sendable {
    private let ledger: OffsetLedger
    private let drainTimeout: Duration
    private let logger: Logger
    private let consumerSlot = Mutex<KafkaConsumer?>(nil)

    init(ledger: OffsetLedger, drainTimeout: Duration, logger: Logger) {
        self.ledger = ledger
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    /// Connects the consumer whose offsets are stored on revocation.
    func attach(_ consumer: KafkaConsumer) {
        self.consumerSlot.withLock { $0 = consumer }
    }

    /// Disconnects the consumer (after it closed), breaking the reference cycle through its listener.
    func detach() {
        self.consumerSlot.withLock { $0 = nil }
    }

    /// The consumer's rebalance listener.
    func handle(_ event: KafkaRebalanceEvent) async {
        switch event {
        case .assigned(let partitions):
            self.ledger.assign(partitions)
            self.logger.info("Partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        case .revoked(let partitions):
            self.ledger.beginRevocation(partitions)
            let drained = await self.ledger.waitUntilIdle(Set(partitions), timeout: self.drainTimeout)
            if !drained {
                self.logger.warning(
                    "Revocation drain timed out; unfinished records will be redone by the next owner",
                    metadata: ["partitions": "\(partitions.sorted())"])
            }
            let positions = self.ledger.release(partitions)
            self.store(positions)
            self.logger.info("Partitions revoked", metadata: ["partitions": "\(partitions.sorted())", "committing": "\(positions)"])
        case .lost(let partitions):
            self.ledger.release(partitions)
            self.logger.warning("Partitions lost; their unfinished records will be redone", metadata: ["partitions": "\(partitions.sorted())"])
        }
    }

    private func store(_ positions: [TopicPartitionOffset]) {
        guard !positions.isEmpty, let consumer = self.consumerSlot.withLock({ $0 }) else { return }
        do {
            try consumer.storeOffsets(positions)
        } catch {
            self.logger.warning("Storing offsets on revocation failed", metadata: ["error": "\(error)"])
        }
    }
}
