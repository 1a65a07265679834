import Kafka

@testable import CodetaskWorker

/// Drives a ``WorkerCore`` in tests: a fake clock, records built from offsets, and the actions it returned.
struct CoreDriver {
    typealias Core = WorkerCore<String>
    var core: Core
    let start = ContinuousClock.now
    var elapsed: Duration = .zero
    /// Every action so far, in order.
    var actions: [Core.Action] = []

    init(_ adjust: (inout Core.Settings) -> Void = { _ in }) {
        var settings = Core.Settings()
        settings.maxInFlight = 4
        settings.maxPending = 100
        adjust(&settings)
        self.core = Core(settings: settings)
        // The scripted tests describe a broker that keeps commit metadata (Apache Kafka), as a read-back showed.
        self.core.commitMetadataKept = true
        self.core.metadataReadBack = .learnt
    }

    var now: ContinuousClock.Instant { self.start + self.elapsed }

    /// Handles an event and returns the actions of that step.
    @discardableResult
    mutating func send(_ event: Core.Event) -> [Core.Action] {
        let step = self.core.handle(event, now: self.now)
        self.actions += step
        return step
    }

    /// Lets time pass and ticks.
    @discardableResult
    mutating func advance(_ duration: Duration) -> [Core.Action] {
        self.elapsed += duration
        return self.send(.tick)
    }

    /// Assigns partitions and answers the committed read (`committed` per partition, default none).
    @discardableResult
    mutating func assign(_ partitions: [TopicPartition], committed: [TopicPartition: CommitPoint] = [:]) -> [Core.Action] {
        var step = self.send(.assigned(partitions))
        let epoch = step.compactMap { action -> UInt64? in
            if case .readCommitted(_, let epoch) = action { return epoch }
            return nil
        }.first!
        // With the attempt journal, the shell reads it too (here: an empty journal).
        let journal = self.core.settings.journal ? JournalRecovery(end: 0) : nil
        for partition in partitions { step += self.send(.committedRead(partition, epoch: epoch, committed[partition], journal: journal)) }
        return step
    }

    /// Polls records at these offsets; `key` gives each its ordering key (`nil`: dead-letter work).
    @discardableResult
    mutating func poll(_ partition: TopicPartition, _ offsets: [Int64], key: (Int64) -> String? = { "k\($0)" }) -> [Core.Action] {
        let records = offsets.map { offset in
            IncomingRecord(
                source: RecordSource(topic: partition.topic, partition: partition.partition, offset: offset),
                orderingKey: key(offset), payload: "\(partition)@\(offset)")
        }
        return self.send(.polled(records))
    }
}

extension WorkerCore.Action {
    /// The job a ``startJob`` action starts.
    var startedJob: (id: UInt64, source: RecordSource)? {
        if case .startJob(let id, let source, _, _) = self { return (id, source) }
        return nil
    }

    var cancelledJobs: [UInt64]? {
        if case .cancelJobs(let ids, _) = self { return ids }
        return nil
    }

    var woundDownJobs: [UInt64]? {
        if case .windDownJobs(let ids) = self { return ids }
        return nil
    }

    var committed: [TopicPartition: CommitPoint]? {
        switch self {
        case .commit(_, let points, _): return points
        case .completeRevocation(_, let points, _, _): return points
        default: return nil
        }
    }
}

extension Array {
    /// The started jobs among these actions.
    func startedJobs<P>() -> [(id: UInt64, source: RecordSource)] where Element == WorkerCore<P>.Action {
        self.compactMap(\.startedJob)
    }
}

let partition0 = TopicPartition(topic: "in", partition: 0)
let partition1 = TopicPartition(topic: "in", partition: 1)
