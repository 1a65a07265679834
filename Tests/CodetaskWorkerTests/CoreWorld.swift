import InformaticaSimulator
import Kafka

@testable import CodetaskWorker

/// The model around the machine: partitions with records, the group's committed positions, jobs in flight,
/// and the reference rules every action is held to:
/// - a record starts only on a partition this member owns, never after its revocation or the stop began
///   (unless it closes a gap on a broker that drops commit metadata), never while it runs, at most once per
///   ownership epoch unless its previous job ended without an outcome, and never after this member learnt it
///   finished;
/// - a commit never passes, and its metadata never names, a record without a durable outcome.
struct CoreWorld {
    typealias Core = WorkerCore<String>

    /// A broken rule, with the seed and the events that led to it.
    struct Violation: Error, CustomStringConvertible {
        let description: String
    }

    /// How the broker treats commit metadata in this sequence.
    enum MetadataSupport { case kept, dropped, learntMidway }

    var random: SeededGenerator
    let seed: UInt64
    var driver: CoreDriver
    let partitions = (0..<3).map { TopicPartition(topic: "in", partition: $0) }
    let recordsPerPartition: Int64 = 50
    let metadata: MetadataSupport
    /// The step at which a `learntMidway` world reports the metadata kept.
    let learnAt: Int
    /// The group's committed position per partition.
    var committed: [TopicPartition: CommitPoint] = [:]
    /// Partitions this member owns (as the group sees it), with the next offset the fetcher hands out.
    var owned: [TopicPartition: Int64] = [:]
    /// Ownership epochs per partition (counted by the model).
    var epoch: [TopicPartition: Int] = [:]
    /// Partitions assigned whose committed read is not answered yet, with the machine's epoch.
    var loading: [TopicPartition: UInt64] = [:]
    var revoking: [UInt64: [TopicPartition]] = [:]
    var nextRevocation: UInt64 = 1
    /// Jobs running: id → (record, cancelled).
    var jobs: [UInt64: (source: RecordSource, cancelled: Bool)] = [:]
    /// Records whose outcome is durable.
    var durable: Set<RecordSource> = []
    /// Records whose durable outcome the machine was told of (a `jobEnded(finished: true)`).
    var reportedFinished: Set<RecordSource> = []
    /// Records started in the current epoch of their partition and not since ended without an outcome.
    var startedThisEpoch: Set<RecordSource> = []
    var outstandingCommit: (id: UInt64, points: [TopicPartition: CommitPoint])?
    /// A commit the machine asked to read back, not answered yet.
    var readBackAsked = false
    var stopAt: Duration?
    var metadataKnownKept = false
    /// The highest offset started per owned partition, and the frontier frozen when its revocation or the stop began.
    var highestStarted: [TopicPartition: Int64] = [:]
    var frontier: [TopicPartition: Int64] = [:]
    var closing = false
    var finished = false
    /// One step of the trace.
    enum TraceEntry { case event(Duration, Core.Event), action(Core.Action) }
    /// How many of the last events and actions a report shows (the shortest failing sequence shows them all).
    var traceLength = 200
    /// The last events and actions (a ring from `traceEnd` once full), for the report of a broken rule.
    var trace: [TraceEntry] = []
    var traceEnd = 0
    /// The attempt journal as the model writes it (journal seeds).
    var journal = JournalModel()
    /// A step at which to break the core on purpose (a key forgotten), to show that the checks and the
    /// shrinking of a failing sequence work.
    var sabotageAtStep: Int?

    init(seed: UInt64) {
        self.seed = seed
        self.random = SeededGenerator(seed: seed)
        self.metadata = [.kept, .dropped, .learntMidway][Int(seed % 3)]
        self.learnAt = Int(seed / 3 % 200)
        let maxInFlight = [1, 2, 4][Int(seed / 9 % 3)]
        let maxPending = [6, 20, 1000][Int(seed / 27 % 3)]
        self.driver = CoreDriver {
            $0.maxInFlight = maxInFlight
            $0.maxPending = maxPending
            $0.drainTimeout = .seconds(2)
            $0.gracePeriod = .seconds(3)
            $0.cancelWait = .milliseconds(500)
            $0.commitInterval = .milliseconds(300)
            $0.journal = seed % 2 == 1
        }
        self.driver.core.commitMetadataKept = false
        self.driver.core.metadataReadBack = .notYet
    }

    mutating func run(steps: Int) throws {
        if self.metadata == .kept { try self.learnMetadataKept() }
        for step in 0..<steps where !self.finished {
            if self.metadata == .learntMidway && step == self.learnAt { try self.learnMetadataKept() }
            if step == self.sabotageAtStep { self.forgetAKey() }
            try self.step()
        }
        if self.stopAt == nil { try self.quiesce() }
        // Then stop and serve the machine until it finishes; the stop must end within grace + 5 s.
        if self.stopAt == nil { try self.apply(.stopRequested) }
        var rounds = 0
        while !self.finished {
            rounds += 1
            try self.require(rounds < 10_000, "the machine never finished")
            try self.serveOne(allowNewWork: false)
        }
        let stopTook = self.driver.elapsed - self.stopAt!
        try self.require(stopTook <= .seconds(8), "the stop took \(stopTook)")
        for (_, job) in self.jobs { try self.require(job.cancelled, "a job runs after the machine finished") }
    }

    /// Breaks the core: a queued ticket whose key is neither armed nor busy (it would never start).
    mutating func forgetAKey() {
        let source = RecordSource(topic: "in", partition: 0, offset: 0)
        self.driver.core.tickets[999_999] = .init(
            id: 999_999, source: source, epoch: 1, key: "forgotten", payload: "", arrivedAt: self.driver.now, phase: .queued)
        self.driver.core.schedule.enqueue(999_999, key: "forgotten")
        var others: [KeySchedule<UInt64>.Entry] = []
        while let entry = self.driver.core.schedule.nextArmed(), entry.key != "forgotten" { others.append(entry) }
        for entry in others { self.driver.core.schedule.rearm(entry) }
    }

    /// The shortest failing run of a seed: the fewest random steps (before quiescence and the stop) whose run
    /// still breaks a rule, with its whole trace, so a failure reads as a minimal sequence.
    /// - Returns: `nil` when no run of up to `steps` steps fails.
    static func shortestFailure(seed: UInt64, steps: Int, sabotageAtStep: Int? = nil) -> (steps: Int, violation: Violation)? {
        for count in 0...steps {
            var world = CoreWorld(seed: seed)
            world.traceLength = Int.max
            world.sabotageAtStep = sabotageAtStep
            do {
                try world.run(steps: count)
            } catch let violation as Violation {
                return (count, violation)
            } catch {
                return (count, Violation(description: "seed \(seed): \(error)"))
            }
        }
        return nil
    }

    private mutating func learnMetadataKept() throws {
        self.metadataKnownKept = true
        try self.apply(.commitMetadataKept(true))
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self.random) < percent }

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
        case 16..<17 where self.stopAt == nil && self.seed % 4 == 0:
            // A quarter of the seeds stop amid the faults; the rest quiesce first, so liveness is checked.
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
            // Some calls end first: the job holds its key but not its slot while it publishes.
            if self.chance(30) { return try self.apply(.callEnded(id)) }
            let job = self.jobs[id]!
            let finished = job.cancelled ? self.chance(20) : self.chance(90)
            // Some jobs without an outcome were held (Informatica judged down): the core starts them again.
            try self.endJob(id, finished: finished, held: !finished && !job.cancelled && self.chance(40))
        case 2:
            guard let commit = self.outstandingCommit else { return try self.tick() }
            self.outstandingCommit = nil
            let result: Core.CommitResult = self.chance(70) ? .succeeded : self.chance(50) ? .refusedByGroup : .failed
            if result == .succeeded { self.committed.merge(commit.points) { _, new in new } }
            try self.apply(.commitEnded(commit.id, result))
        case 3:
            // A read that fails is retried by the shell until it succeeds: here, an answer that comes later.
            guard let (partition, epoch) = self.loading.sorted(by: { $0.key < $1.key }).first else { return try self.tick() }
            self.loading[partition] = nil
            try self.apply(.committedRead(partition, epoch: epoch, self.committed[partition], journal: self.recovery(of: partition)))
        case 4 where self.closing:
            self.closing = false
            try self.apply(.closeEnded)
        case 5 where self.journalOn && self.chance(30):
            self.writeSomeAttempt()
        case 5 where self.readBackAsked:
            // The broker's answer: a `learntMidway` one is unreadable until the model's step says it keeps metadata.
            self.readBackAsked = false
            switch self.metadata {
            case .kept: try self.learnMetadataKept()
            case .dropped: try self.apply(.commitMetadataKept(false))
            case .learntMidway: try self.apply(.commitReadBackFailed)
            }
        default:
            try self.tick()
        }
    }

    private mutating func endJob(_ id: UInt64, finished: Bool, held: Bool = false) throws {
        let job = self.jobs.removeValue(forKey: id)!
        if finished {
            self.durable.insert(job.source)
            self.reportedFinished.insert(job.source)
        } else {
            self.startedThisEpoch.remove(job.source)
        }
        let report = self.journalReport(id, source: job.source, finished: finished)
        let hold = held ? Core.Held(payload: "held", outageRetry: self.chance(50)) : nil
        try self.apply(.jobEnded(id, finished: finished, journal: report, held: hold))
    }

    /// No more faults or new partitions: jobs end with outcomes, commits and reads go through, the fetcher
    /// reaches the end, the breaker closes. Every record of an owned partition must then be finished and its
    /// partition committed to the end (liveness).
    private mutating func quiesce() throws {
        try self.apply(.breaker(.closed))
        for round in 0..<1_000 {
            if self.isQuiet { break }
            try self.require(round < 999, "no quiescence: \(self.quietReport)")
            // Each round: a poll, every job ends with an outcome, the reads and the commit are answered, time passes.
            try self.poll()
            for id in self.jobs.keys.sorted() where self.jobs[id] != nil { try self.endJob(id, finished: true) }
            while let (partition, epoch) = self.loading.min(by: { $0.key < $1.key }) {
                self.loading[partition] = nil
                try self.apply(.committedRead(partition, epoch: epoch, self.committed[partition], journal: self.recovery(of: partition)))
            }
            if let commit = self.outstandingCommit {
                self.outstandingCommit = nil
                self.committed.merge(commit.points) { _, new in new }
                try self.apply(.commitEnded(commit.id, .succeeded))
            }
            try self.tick()
        }
        for partition in self.owned.keys.sorted() {
            let position = self.committed[partition]?.offset ?? 0
            try self.require(position == self.recordsPerPartition, "\(partition) stalled: committed \(position)")
        }
    }

    private var isQuiet: Bool {
        self.jobs.isEmpty && self.loading.isEmpty && self.revoking.isEmpty && self.outstandingCommit == nil
            && self.owned.allSatisfy { partition, next in
                next == self.recordsPerPartition && self.committed[partition]?.offset == self.recordsPerPartition
            }
    }

    private var quietReport: String {
        "jobs \(self.jobs.count), loading \(self.loading.count), revoking \(self.revoking.count), "
            + "owned \(self.owned), committed \(self.committed.mapValues(\.offset)), queued "
            + "\(self.driver.core.tickets.values.count { $0.phase == .queued })"
    }

    private mutating func tick() throws {
        self.driver.elapsed += .milliseconds(Int64.random(in: 10...400, using: &self.random))
        try self.apply(.tick)
    }

    private mutating func poll() throws {
        var records: [IncomingRecord<String>] = []
        // The fetcher hands out records while the committed position is still being read, too.
        for (partition, next) in self.owned.sorted(by: { $0.key < $1.key })
        where !self.driver.core.paused.contains(partition) {
            let count = Int64.random(in: 0...5, using: &self.random)
            let end = min(next + count, self.recordsPerPartition)
            guard next < end else { continue }
            for offset in next..<end {
                // A record's key is part of the record: the same on every delivery (and shared across partitions).
                let key: String? = offset % 7 == 3 ? nil : "k\((offset * 7 + Int64(partition.partition)) % 4)"
                records.append(IncomingRecord(
                    source: RecordSource(topic: partition.topic, partition: partition.partition, offset: offset),
                    orderingKey: key, payload: ""))
            }
            self.owned[partition] = end
        }
        try self.apply(.polled(records))
    }

    func isRevoking(_ partition: TopicPartition) -> Bool {
        self.revoking.values.contains { $0.contains(partition) }
    }

    /// Hands an event to the machine, checks the actions against the model, and applies them.
    private mutating func apply(_ event: Core.Event) throws {
        self.record(.event(self.driver.elapsed, event))
        if case .stopRequested = event {
            self.stopAt = self.driver.elapsed
            for partition in self.owned.keys where self.frontier[partition] == nil {
                self.frontier[partition] = self.highestStarted[partition] ?? -1
            }
        }
        if case .assigned(let partitions) = event {
            for partition in partitions {
                // The fetcher starts at the group's committed position.
                self.owned[partition] = self.committed[partition]?.offset ?? 0
                self.epoch[partition, default: 0] += 1
                self.highestStarted[partition] = nil
                self.frontier[partition] = nil
                self.startedThisEpoch = self.startedThisEpoch.filter { $0.topicPartition != partition }
            }
        }
        let actions = self.driver.send(event)
        for action in actions {
            self.record(.action(action))
            try self.check(action)
        }
        try self.checkState()
        try self.checkLiveness()
    }

    func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard !condition else { return }
        throw Violation(description: "seed \(self.seed) (\(self.metadata)): \(message())\nlast events and actions:\n"
            + (self.trace[self.traceEnd...] + self.trace[..<self.traceEnd]).map(Self.describe).joined(separator: "\n"))
    }

    /// Keeps the last steps for the report of a broken rule; they are only formatted when one breaks.
    private mutating func record(_ entry: TraceEntry) {
        if self.trace.count == self.traceLength {
            self.trace[self.traceEnd] = entry
            self.traceEnd = (self.traceEnd + 1) % self.traceLength
        } else {
            self.trace.append(entry)
        }
    }

    private static func describe(_ entry: TraceEntry) -> String {
        switch entry {
        case .event(let at, .polled(let records)):
            return "\(at): polled \(records.map { "\($0.source.partition)@\($0.source.offset)" })"
        case .event(let at, let event):
            return "\(at): \(event)"
        case .action(.startJob(let id, let source, _, _)):
            return "  -> start \(id) \(source)"
        case .action(let action):
            return "  -> \(action)"
        }
    }
}
