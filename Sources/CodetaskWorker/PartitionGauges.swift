import Kafka
import Metrics
import Synchronization

/// The per-partition gauges of the input partitions this member owns, sampled every ``interval`` whether or not
/// commits succeed (a lag set only after a commit stands still exactly when commits stop):
/// - `codetask_worker_consumer_lag`: the partition's end offset as its leader reports it now, minus the group's
///   committed position (once one is known);
/// - `codetask_worker_committed_offset`: that committed position;
/// - `codetask_worker_commit_age_seconds`: the time since this member's last acknowledged commit of the
///   partition (since it was assigned, before the first).
///
/// A partition given up loses its series, so that a sum over the group counts each partition once and no member
/// reports a partition it no longer owns.
final class PartitionGauges: Sendable {
    /// How often the gauges are sampled (one ListOffsets request per partition leader).
    static let interval = Duration.seconds(5)
    /// The bound of one sample's query of the end offsets.
    static let queryTimeout = Duration.seconds(2)

    private struct State {
        var lastCommit: [TopicPartition: ContinuousClock.Instant] = [:]
        /// The highest position whose commit was acknowledged, per partition: a sample whose committed positions
        /// were read before that acknowledgement must not set an older position (and a larger lag) after it.
        var acknowledged: [TopicPartition: Int64] = [:]
        var reported: Set<TopicPartition> = []
        var sampling = false
        var nextSample: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Commits of these positions were acknowledged at `now`: the committed offset and commit age are set at once,
    /// and the lag from the end offset last fetched (`cachedEnd`), so that a commit's effect shows before the
    /// next sample.
    func commitAcknowledged(_ positions: [TopicPartition: Int64], cachedEnd: (TopicPartition) -> Int64?, at now: ContinuousClock.Instant) {
        self.state.withLock { state in
            for (partition, position) in positions {
                state.lastCommit[partition] = now
                state.acknowledged[partition] = max(state.acknowledged[partition] ?? position, position)
                state.reported.insert(partition)
            }
        }
        for (partition, position) in positions {
            self.report(partition, commitAge: .zero, committed: position, end: cachedEnd(partition))
        }
    }

    /// Whether a sample is due at `now` (the interval has passed and no sample is running); if so, it is marked
    /// running until ``record(committed:ends:now:)``.
    func beginSample(now: ContinuousClock.Instant) -> Bool {
        self.state.withLock { state in
            guard !state.sampling, now >= state.nextSample ?? now else { return false }
            state.sampling = true
            state.nextSample = now + Self.interval
            return true
        }
    }

    /// Records one sample and ends it.
    /// - Parameters:
    ///   - committed: Each owned partition's committed position (`nil` while unknown).
    ///   - ends: The end offsets the leaders reported (a partition missing keeps its previous lag).
    ///   - now: When the sample was taken.
    /// - Returns: The partitions with records behind their committed position (lag above 0), with their commit
    ///   ages, for readiness.
    @discardableResult
    func record(committed: [TopicPartition: Int64?], ends: [TopicPartition: Int64], now: ContinuousClock.Instant)
        -> [TopicPartition: Duration]
    {
        let (gone, ages, positions) = self.state.withLock { state in
            defer { state.sampling = false }
            let gone = state.reported.subtracting(committed.keys)
            for partition in gone {
                state.lastCommit[partition] = nil
                state.acknowledged[partition] = nil
            }
            state.reported = Set(committed.keys)
            var ages: [(TopicPartition, Duration)] = []
            var positions: [TopicPartition: Int64] = [:]
            for (partition, position) in committed {
                let since = state.lastCommit[partition] ?? now
                state.lastCommit[partition] = since
                ages.append((partition, now - since))
                // The sample's positions were read when it began; a commit acknowledged since is newer.
                let newest = [position ?? nil, state.acknowledged[partition]].compactMap { $0 }.max()
                if let newest { positions[partition] = newest }
            }
            return (gone, ages, positions)
        }
        for partition in gone {
            for label in Self.labels { Gauge(label: label, dimensions: Self.dimensions(partition), factory: self.factory).destroy() }
        }
        var lagging: [TopicPartition: Duration] = [:]
        for (partition, age) in ages {
            let position = positions[partition]
            self.report(partition, commitAge: age, committed: position, end: ends[partition])
            if let position, let end = ends[partition], end > position { lagging[partition] = age }
        }
        return lagging
    }

    /// Sets a partition's gauges: the commit age always, the committed position when known, the lag when the end
    /// is known too.
    private func report(_ partition: TopicPartition, commitAge: Duration, committed: Int64?, end: Int64?) {
        let dimensions = Self.dimensions(partition)
        Gauge(label: "codetask_worker_commit_age_seconds", dimensions: dimensions, factory: self.factory).record(commitAge.secondsValue)
        guard let committed else { return }
        Gauge(label: "codetask_worker_committed_offset", dimensions: dimensions, factory: self.factory).record(committed)
        if let end {
            Gauge(label: "codetask_worker_consumer_lag", dimensions: dimensions, factory: self.factory).record(max(0, end - committed))
        }
    }

    private static let labels = ["codetask_worker_consumer_lag", "codetask_worker_committed_offset", "codetask_worker_commit_age_seconds"]

    private static func dimensions(_ partition: TopicPartition) -> [(String, String)] {
        [("topic", partition.topic), ("partition", String(partition.partition))]
    }
}
