import ArgumentParser
import Foundation
import Logging
import ProofSupport

/// `codetask-proof chaos`: worker processes in one group, faults on a schedule, then the auditor's report.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Worker processes in one consumer group under scheduled faults; ends with the auditor's report.",
        discussion: """
            Schedule items are kind@seconds[+seconds], seconds after the workers started: kill9 (kill -9 of a worker, \
            restarted at once), term (graceful stop, restarted after its exit), join and leave (a further worker), \
            broker-down (mock cluster only), 503, 429 (with Retry-After), expire (sessions), slow (answers slower \
            than the attempt timeout). Exit status 0 only when every target holds: nothing lost, every malformed \
            record dead-lettered, final lag 0, no crash, every stop clean and in time, no double start but those of \
            a kill -9, and each kill's at most the requests started and not committed at the kill.
            """)

    @OptionGroup var rig: RigOptions
    @Option(help: "Requests to produce.") var requests = 20_000
    @Option(help: "Requests produced per second.") var rate = 150.0
    @Option(help: "Worker processes from the start.") var workers = 3
    @Option(help: "The faults (see below).")
    var schedule = "kill9@15s,term@30s,join@45s,leave@60s,broker-down@72s+5s,503@84s+8s,429@96s+6s,expire@106s,slow@110s+6s"
    @Option(help: "Each worker's Start calls in flight (--max-in-flight).") var maxInFlight = 16
    @Option(help: "Each worker's attempt timeout, seconds; slow answers take this plus 1 s.") var attemptTimeout = 2.0
    @Option(help: "Each worker's shutdown grace, seconds; a stop must end within it plus 5 s.") var grace = 10.0
    @Option(help: "Seconds to wait, after the last request and fault, for the group to commit everything.") var drainTimeout = 600.0
    @Option(help: "Double starts tolerated besides those of kill -9 (0: the issue's target).") var allowDoubleStarts = 0

    func run() async throws {
        var logger = Logger(label: "codetask-proof")
        logger.logLevel = .error
        let parsed = try ChaosSchedule(parsing: self.schedule)
        let passed = try await ChaosRun(command: self, schedule: parsed, logger: logger).run()
        if !passed { throw ExitCode(1) }
    }
}
