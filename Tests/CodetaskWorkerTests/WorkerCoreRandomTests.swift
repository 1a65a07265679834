import InformaticaSimulator
import Kafka
import Testing

@testable import CodetaskWorker

/// Random event sequences against the worker core, with a model of Kafka's group (assignment, revocation,
/// loss, committed positions) and of the jobs; invariants are checked after every step.
@Suite("The worker core state machine: randomized sequences", .serialized)
struct WorkerCoreRandomTests {
    @Test("5,000 seeded random sequences keep every invariant", arguments: 0..<5)
    func randomSequences(batch: Int) throws {
        for seed in (batch * 1000)..<((batch + 1) * 1000) {
            var world = CoreWorld(seed: UInt64(seed))
            try world.run(steps: 400)
        }
    }
}

/// The model around the machine: partitions with records, the group's committed positions, jobs in flight.
struct CoreWorld {
    typealias Core = WorkerCore<String>
    var random: SeededGenerator
    let seed: UInt64
    var driver: CoreDriver
    let partitions = (0..<3).map { TopicPartition(topic: "in", partition: $0) }
    let recordsPerPartition: Int64 = 60
    /// The group's committed position per partition.
    var committed: [TopicPartition: CommitPoint] = [:]
    /// Partitions this member owns (as the group sees it), with the next offset the fetcher hands out.
    var owned: [TopicPartition: Int64] = [:]
    /// Partitions assigned whose committed read is not answered yet, with the epoch.
    var loading: [TopicPartition: UInt64] = [:]
    var revoking: [UInt64: [TopicPartition]] = [:]
    var nextRevocation: UInt64 = 1
    /// Jobs running: id → (record, cancelled).
    var jobs: [UInt64: (source: RecordSource, cancelled: Bool)] = [:]
    /// Records whose outcome is durable.
    var durable: Set<RecordSource> = []
    var outstandingCommit: (id: UInt64, points: [TopicPartition: CommitPoint])?
    var stopAt: Duration?
    /// Half the seeds model a broker that drops commit metadata: stops and revocations then close gaps.
    let metadataKept: Bool
    /// The highest offset started per owned partition, and the frontier frozen when its revocation or the stop began.
    var highestStarted: [TopicPartition: Int64] = [:]
    var frontier: [TopicPartition: Int64] = [:]
    var closing = false
    var finished = false

    init(seed: UInt64) {
        self.seed = seed
        self.random = SeededGenerator(seed: seed)
        self.metadataKept = seed % 2 == 0
        var settings = (maxInFlight: 0, maxPending: 0)
        settings.maxInFlight = [1, 2, 4][Int(seed % 3)]
        settings.maxPending = [8, 20, 1000][Int(seed / 3 % 3)]
        self.driver = CoreDriver {
            $0.maxInFlight = settings.maxInFlight
            $0.maxPending = settings.maxPending
            $0.drainTimeout = .seconds(2)
            $0.gracePeriod = .seconds(3)
            $0.cancelWait = .milliseconds(500)
            $0.commitInterval = .milliseconds(300)
        }
    }

    mutating func run(steps: Int) throws {
        if self.metadataKept { try self.apply(.commitMetadataKept(true)) }
        for _ in 0..<steps where !self.finished { try self.step() }
        // Then stop and serve the machine until it finishes; the stop must end within grace + 5 s.
        if self.stopAt == nil { try self.apply(.stopRequested) }
        var rounds = 0
        while !self.finished {
            rounds += 1
            try #require(rounds < 10_000, "seed \(self.seed): the machine never finished")
            try self.serveOne(allowNewWork: false)
        }
        let stopTook = self.driver.elapsed - self.stopAt!
        #expect(stopTook <= .seconds(8), "seed \(self.seed): the stop took \(stopTook)")
        for (_, job) in self.jobs { #expect(job.cancelled, "seed \(self.seed): a job runs after the machine finished") }
    }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self.random) < percent }

    private mutating func step() throws {
        switch Int.random(in: 0..<100, using: &self.random) {
        case 0..<8 where self.stopAt == nil:
            let free = self.partitions.filter { self.owned[$0] == nil && !self.isRevoking($0) }
            let chosen = free.filter { _ in self.chance(60) }
            if !chosen.isEmpty { try self.apply(.assigned(chosen)) }
        case 8..<12:
            let candidates = self.owned.keys.filter { !self.isRevoking($0) }.sorted()
            let chosen = candidates.filter { _ in self.chance(50) }
            guard !chosen.isEmpty else { return }
            let id = self.nextRevocation
            self.nextRevocation += 1
            self.revoking[id] = chosen
            for partition in chosen { self.frontier[partition] = self.highestStarted[partition] ?? -1 }
            try self.apply(.revoked(chosen, id))
        case 12..<14:
            let candidates = self.owned.keys.filter { !self.isRevoking($0) }.sorted()
            guard let lost = candidates.randomElement(using: &self.random) else { return }
            self.owned[lost] = nil
            self.loading[lost] = nil
            try self.apply(.lost([lost]))
        case 14..<16:
            let view: Core.BreakerView = [.closed, .halfOpen, .open(until: self.driver.now + .seconds(1))][
                Int.random(in: 0..<3, using: &self.random)]
            try self.apply(.breaker(view))
        case 16..<17 where self.stopAt == nil:
            try self.apply(.stopRequested)
        default:
            try self.serveOne(allowNewWork: true)
        }
    }

    /// One of: a poll, a job ending, a commit answer, a committed read answer, the close ending, time passing.
    private mutating func serveOne(allowNewWork: Bool) throws {
        switch Int.random(in: 0..<6, using: &self.random) {
        case 0 where allowNewWork:
            try self.poll()
        case 1:
            guard let id = self.jobs.keys.sorted().randomElement(using: &self.random) else { return try self.tick() }
            let job = self.jobs[id]!
            let finished = job.cancelled ? self.chance(20) : self.chance(90)
            self.jobs[id] = nil
            if finished { self.durable.insert(job.source) }
            try self.apply(.jobEnded(id, finished: finished))
        case 2:
            guard let commit = self.outstandingCommit else { return try self.tick() }
            self.outstandingCommit = nil
            let result: Core.CommitResult = self.chance(70) ? .succeeded : self.chance(50) ? .refusedByGroup : .failed
            if result == .succeeded { self.committed.merge(commit.points) { _, new in new } }
            try self.apply(.commitEnded(commit.id, result))
        case 3:
            guard let (partition, epoch) = self.loading.sorted(by: { $0.key < $1.key }).first else { return try self.tick() }
            self.loading[partition] = nil
            // The fetcher starts at the group's committed position, whether or not the machine's read worked.
            self.owned[partition] = self.committed[partition]?.offset ?? 0
            let point = self.chance(90) ? self.committed[partition] : nil
            try self.apply(.committedRead(partition, epoch: epoch, point))
        case 4 where self.closing:
            self.closing = false
            try self.apply(.closeEnded)
        default:
            try self.tick()
        }
    }

    private mutating func tick() throws {
        self.driver.elapsed += .milliseconds(Int64.random(in: 10...400, using: &self.random))
        try self.apply(.tick)
    }

    private mutating func poll() throws {
        var records: [IncomingRecord<String>] = []
        for (partition, next) in self.owned.sorted(by: { $0.key < $1.key })
        where self.loading[partition] == nil && !self.driver.core.paused.contains(partition) {
            let count = Int64.random(in: 0...5, using: &self.random)
            let end = min(next + count, self.recordsPerPartition)
            guard next < end else { continue }
            for offset in next..<end {
                // A record's key is part of the record: the same on every delivery.
                let key: String? = offset % 7 == 3 ? nil : "k\((offset * 7 + Int64(partition.partition)) % 4)"
                records.append(IncomingRecord(
                    source: RecordSource(topic: partition.topic, partition: partition.partition, offset: offset),
                    orderingKey: key, payload: ""))
            }
            self.owned[partition] = end
        }
        try self.apply(.polled(records))
    }

    private func isRevoking(_ partition: TopicPartition) -> Bool {
        self.revoking.values.contains { $0.contains(partition) }
    }

    /// Hands an event to the machine, checks the actions against the model, and applies them.
    private mutating func apply(_ event: Core.Event) throws {
        if case .stopRequested = event {
            self.stopAt = self.driver.elapsed
            for partition in self.owned.keys where self.frontier[partition] == nil {
                self.frontier[partition] = self.highestStarted[partition] ?? -1
            }
        }
        if case .assigned(let partitions) = event {
            for partition in partitions {
                self.owned[partition] = 0
                self.highestStarted[partition] = nil
                self.frontier[partition] = nil
            }
        }
        let actions = self.driver.send(event)
        for action in actions { try self.check(action) }
        try self.checkState()
    }

    private mutating func check(_ action: Core.Action) throws {
        let context = "seed \(self.seed)"
        switch action {
        case .startJob(let id, let source, _):
            let partition = source.topicPartition
            #expect(self.owned[partition] != nil, "\(context): started on a partition not owned")
            if self.stopAt != nil || self.isRevoking(partition) {
                // Only to close a gap below the frontier, and only when the broker drops commit metadata.
                let closesGap = !self.metadataKept && source.offset < (self.frontier[partition] ?? -1)
                #expect(closesGap, "\(context): \(source) started after the stop or revocation began")
            }
            self.highestStarted[partition] = max(self.highestStarted[partition] ?? source.offset, source.offset)
            #expect(!self.jobs.values.contains { $0.source == source }, "\(context): \(source) started while running")
            self.jobs[id] = (source, false)
        case .cancelJobs(let ids, _):
            for id in ids where self.jobs[id] != nil { self.jobs[id]!.cancelled = true }
        case .windDownJobs(let ids):
            for id in ids {
                #expect(self.jobs[id] != nil, "\(context): wound down a job that is not running")
                #expect(!self.owned.keys.contains { $0 == self.jobs[id]?.source.topicPartition },
                        "\(context): wound down a job of a partition still owned")
            }
        case .readCommitted(let partitions, let epoch):
            for partition in partitions { self.loading[partition] = epoch }
        case .commit(let id, let points):
            try self.checkCommittable(points)
            #expect(self.outstandingCommit == nil, "\(context): two commits in flight")
            self.outstandingCommit = (id, points)
        case .completeRevocation(let id, let points, _):
            try self.checkCommittable(points)
            if self.chance(80) { self.committed.merge(points) { _, new in new } }
            for partition in self.revoking.removeValue(forKey: id) ?? [] {
                self.owned[partition] = nil
                self.loading[partition] = nil
            }
        case .close:
            self.closing = true
        case .finish:
            self.finished = true
        case .pause, .resume:
            break
        }
    }

    /// Nothing below a committed position, and nothing its metadata names, may be without a durable outcome.
    private func checkCommittable(_ points: [TopicPartition: CommitPoint]) throws {
        for (partition, point) in points {
            let floor = self.committed[partition]
            for offset in Int64(0)..<point.offset {
                let source = RecordSource(topic: partition.topic, partition: partition.partition, offset: offset)
                let coveredBefore = floor.map { offset < $0.offset || $0.finished.contains(offset) } ?? false
                #expect(self.durable.contains(source) || coveredBefore, "seed \(self.seed): commit \(point) passes \(source)")
            }
            for offset in point.finished {
                let source = RecordSource(topic: partition.topic, partition: partition.partition, offset: offset)
                let coveredBefore = floor.map { offset < $0.offset || $0.finished.contains(offset) } ?? false
                #expect(self.durable.contains(source) || coveredBefore, "seed \(self.seed): metadata names unfinished \(source)")
            }
        }
    }

    private func checkState() throws {
        let core = self.driver.core
        let context = "seed \(self.seed)"
        let unfinished = core.partitions.values.reduce(0) { $0 + $1.progress.unfinishedCount + $1.buffered.count }
        #expect(core.pendingTotal == unfinished, "\(context): pending count drifted")
        let keyed = core.tickets.values.count { $0.key != nil && $0.phase != .queued }
        #expect(core.runningKeyed == keyed, "\(context): running count drifted")
        #expect(core.runningKeyed <= core.settings.maxInFlight + self.jobs.count, "\(context)")
        #expect(core.tickets.count <= core.settings.maxPending + 40 + self.jobs.count, "\(context): tickets grew to \(core.tickets.count)")
        #expect(core.ready.count <= 4 * (core.tickets.count + 8), "\(context): ready heap grew to \(core.ready.count)")
        for (partition, state) in core.partitions {
            #expect(state.runningJobs == core.tickets.values.count {
                $0.source.topicPartition == partition && $0.epoch == state.epoch && $0.phase != .queued
            }, "\(context): running jobs of \(partition) drifted")
        }
    }
}
