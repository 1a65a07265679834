import CodetaskDemo
import Foundation
import Kafka
import Logging
import ProofSupport

/// One chaos run: the rig, the workers, the timeline of faults, then the drain, the stops and the audit.
final class ChaosRun {
    let command: ChaosCommand
    let schedule: ChaosSchedule
    let logger: Logger
    var rig: ProofRig!
    var workers: [RigWorker] = []
    var joined: [RigWorker] = []
    var kills: [KillRecord] = []
    var stops: [StopRecord] = []
    var crashes: [String] = []
    var activeFaults: Set<ChaosSchedule.Kind> = []
    var slowWindows: [ClosedRange<Date>] = []
    var slowSince: Date?
    var victims = 0
    /// Each fault as it began (the item's text), for the report.
    var began: [(time: Date, name: String)] = []
    var start = Date()

    /// A `kill -9` and what the victim reported just before it.
    struct KillRecord {
        var victim: String
        var at: Double
        var kill: DuplicateAttribution.Kill
        var inFlight: Double?
        var pending: Double?
    }

    /// A graceful stop: how long it took and how it ended.
    struct StopRecord {
        var worker: String
        var seconds: Double
        var ending: String
        var clean: Bool
    }

    init(command: ChaosCommand, schedule: ChaosSchedule, logger: Logger) {
        self.command = command
        self.schedule = schedule
        self.logger = logger
    }

    /// Seconds since the workers started.
    var elapsed: Double { Date().timeIntervalSince(self.start) }

    func say(_ line: String) {
        emit(String(format: "chaos: [%6.1fs] ", self.elapsed) + line)
    }

    /// Runs everything and prints the report.
    /// - Returns: Whether every target held.
    func run() async throws -> Bool {
        let baseArguments = [
            "--max-in-flight", "\(self.command.maxInFlight)", "--attempt-timeout", "\(self.command.attemptTimeout)",
            "--shutdown-grace", "\(self.command.grace)", "--commit-interval", "0.5", "--breaker-open", "5",
        ]
        self.rig = try await ProofRig(
            options: self.command.rig, requests: self.command.requests, baseArguments: baseArguments, logger: self.logger)
        emit("chaos: \(self.command.requests) requests at \(self.command.rate)/s, \(self.command.workers) workers, "
            + "broker \(self.command.rig.broker), \(self.rig.inputPartitions) input partitions; logs in \(self.rig.logDirectory)")
        emit("chaos: schedule \(self.schedule.items.map(\.description).joined(separator: ","))")
        if !self.command.rig.workerArguments.isEmpty { emit("chaos: extra worker flags \(self.command.rig.workerArguments)") }
        let producer = RateProducer(total: self.command.requests, rate: self.command.rate, malformedEvery: self.command.rig.malformedEvery)
        let kafkaProducer = try self.rig.broker.makeProducer { $0.messageTimeout = .seconds(300) }
        self.workers = try (1...self.command.workers).map { try self.rig.launchWorker("w\($0)") }
        let formed = try await self.rig.waitForGroup(self.workers)
        emit("chaos: the group \(formed ? "formed" : "did NOT form within 120 s") before the first request")
        self.start = Date()
        let topic = self.rig.topics.input
        let producing = Task { await producer.run(producer: kafkaProducer, topic: topic) }

        // A fault that began late (a stop before it took long) still lasts its whole duration.
        var pending = self.timeline()
        while let next = pending.indices.min(by: { pending[$0].0 < pending[$1].0 }) {
            let (time, item, ending) = pending.remove(at: next)
            try await self.wait(until: time, producer: producer)
            if !ending {
                self.began.append((Date(), item.description))
                if let end = pending.firstIndex(where: { $0.1 == item && $0.2 }) { pending[end].0 = max(pending[end].0, self.elapsed + item.duration) }
            }
            try await self.perform(item, ending: ending)
        }
        await producing.value
        await kafkaProducer.close(timeout: .seconds(30))
        if let failure = producer.failure { self.say("producing FAILED after \(producer.sent) records: \(failure)") }
        self.say("all \(producer.sent) requests produced; waiting for the group to commit everything")
        let drained = try await self.drain(producer: producer)
        try await self.stopAll()
        let audit = try await self.rig.audit(produced: producer.sent)
        let attribution = DuplicateAttribution(
            calls: self.rig.simulator.startCalls, kills: self.kills.map(\.kill), slowWindows: self.slowWindows,
            sources: producer.sourcesByCodeTask, faults: self.began, wireWindow: self.command.attemptTimeout + 1)
        let passed = self.report(
            audit: audit, attribution: attribution, drained: drained, producedAll: producer.failure == nil, produced: producer.sent)
        await self.rig.shutdown()
        return passed
    }

    /// Every fault's start and, for lasting ones, its end, in time order.
    func timeline() -> [(Double, ChaosSchedule.Item, Bool)] {
        let starts = self.schedule.items.map { ($0.at, $0, false) }
        let ends = self.schedule.items.filter(\.kind.lasts).map { ($0.at + $0.duration, $0, true) }
        return (starts + ends).sorted { $0.0 < $1.0 }
    }

    /// Sleeps until `time` (seconds after the start), watching for crashes and printing progress.
    func wait(until time: Double, producer: RateProducer) async throws {
        var lastProgress = self.elapsed
        while self.elapsed < time {
            try await self.watchForCrashes()
            if self.elapsed - lastProgress >= 10 {
                lastProgress = self.elapsed
                await self.progress(producer: producer)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Restarts any worker that ended without being stopped, and counts it as a crash.
    /// - Throws: ``ProofError`` after 10 crashes: workers that cannot run make the rest of the run meaningless.
    func watchForCrashes() async throws {
        if self.crashes.count >= 10 {
            throw ProofError("workers keep ending by themselves (\(self.crashes.count) times; last: \(self.crashes.last ?? ""))")
        }
        for (index, worker) in self.workers.enumerated() where !worker.child.isRunning {
            self.crashes.append("\(worker.name) (\(worker.child.ending)) at \(String(format: "%.1f", self.elapsed)) s; log \(worker.logPath)")
            self.say("CRASH: \(worker.name) ended by itself (\(worker.child.ending)); restarting it")
            self.workers[index] = try self.rig.launchWorker(worker.name)
        }
        for (index, worker) in self.joined.enumerated().reversed() where !worker.child.isRunning {
            self.crashes.append("\(worker.name) (\(worker.child.ending)); log \(worker.logPath)")
            self.say("CRASH: \(worker.name) ended by itself (\(worker.child.ending))")
            self.joined.remove(at: index)
        }
    }

    func progress(producer: RateProducer) async {
        let calls = self.rig.simulator.startCalls.calls
        let lag = await self.rig.uncommitted(ends: producer.ends)
        self.say("produced \(producer.sent), Start calls \(calls.count) (jobs \(calls.count { $0.jobId != nil })), "
            + "uncommitted \(lag.map(String.init) ?? "?"), workers \(self.workers.count + self.joined.count)")
    }

    /// Waits until the group's committed positions reach the end of every partition.
    /// - Returns: Whether they did within the drain timeout.
    func drain(producer: RateProducer) async throws -> Bool {
        var lastProgress = self.elapsed
        let drained = try await self.rig.waitForCommitted(ends: producer.ends, timeout: self.command.drainTimeout) {
            try await self.watchForCrashes()
            if self.elapsed - lastProgress >= 10 {
                lastProgress = self.elapsed
                await self.progress(producer: producer)
            }
        }
        self.say(drained ? "everything committed" : "NOT everything committed within \(Int(self.command.drainTimeout)) s")
        return drained
    }

    /// Stops every worker at once (SIGTERM) and records each stop.
    func stopAll() async throws {
        let all = self.workers + self.joined
        self.workers = []
        self.joined = []
        let began = Date()
        for worker in all { kill(worker.child.pid, SIGTERM) }
        for worker in all { await self.recordStop(worker, began: began, signalled: true) }
    }

    /// Stops one worker gracefully (unless `signalled` already) and records how long it took and how it ended.
    func recordStop(_ worker: RigWorker, began: Date = Date(), signalled: Bool = false) async {
        let limit = Duration.seconds(self.command.grace + 15)
        if !signalled { kill(worker.child.pid, SIGTERM) }
        let ended = await worker.child.waitForExit(timeout: limit)
        if !ended { await worker.child.kill9() }
        let seconds = Date().timeIntervalSince(began)
        let clean = ended && worker.child.exitedCleanly && seconds <= self.command.grace + 5
        self.stops.append(StopRecord(worker: worker.name, seconds: seconds, ending: ended ? worker.child.ending : "hung, killed", clean: clean))
        self.say(String(format: "%@ stopped in %.1f s (%@)", worker.name, seconds, ended ? worker.child.ending : "hung, killed"))
    }
}
