import Kafka

/// The partitions whose committed position and attempt journal are being read at assignment ("loading": none of
/// their records starts until both are read), as readiness reports them. Pure; ``WorkerHealth`` keeps it.
///
/// Each entry belongs to one assignment (the worker core's ownership epoch), so a read that ends for an earlier
/// assignment never clears a later one of the same partition.
struct PartitionLoading: Sendable, Equatable {
    /// One partition being loaded.
    struct Entry: Sendable, Equatable {
        var epoch: UInt64
        var since: ContinuousClock.Instant
        var failedReads = 0
    }

    private(set) var entries: [TopicPartition: Entry] = [:]

    /// The reads of these partitions began for the assignment of `epoch`.
    mutating func began(_ partitions: [TopicPartition], epoch: UInt64, at now: ContinuousClock.Instant) {
        for partition in partitions { entries[partition] = Entry(epoch: epoch, since: now) }
    }

    /// A read for these partitions (of `epoch`) failed.
    mutating func failed(_ partitions: [TopicPartition], epoch: UInt64) {
        for partition in partitions where entries[partition]?.epoch == epoch { entries[partition]!.failedReads += 1 }
    }

    /// These partitions' reads for `epoch` ended: read, or given up because the partitions are gone or the worker
    /// stops. A later assignment's entry stays.
    mutating func ended(_ partitions: [TopicPartition], epoch: UInt64) {
        for partition in partitions where entries[partition]?.epoch == epoch { entries[partition] = nil }
    }

    /// The readiness check: failing once a partition has been loading for longer than `limit`, naming it.
    func check(now: ContinuousClock.Instant, limit: Duration) -> HealthReport.Check {
        guard let (partition, entry) = entries.min(by: { ($0.value.since, $0.key) < ($1.value.since, $1.key) }) else {
            return HealthReport.Check(name: "assignment", ok: true, detail: "no partition loading")
        }
        let loadingFor = now - entry.since
        let failed = entries.values.reduce(0) { $0 + $1.failedReads }
        return HealthReport.Check(
            name: "assignment", ok: loadingFor <= limit,
            detail: "\(entries.count) partition(s) loading (committed position and attempt journal being read); "
                + "\(partition) for \(WorkerHealth.seconds(loadingFor)) s (limit \(WorkerHealth.seconds(limit)) s), "
                + "\(failed) read(s) failed")
    }
}
