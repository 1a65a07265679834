import ArgumentParser
import Logging

/// `codetask-proof soak`: a steady rate for a duration, sampling each worker's memory, the lag and the oldest
/// unfinished record's age.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "A steady rate for a duration, sampling resident memory, lag and the oldest unfinished record's age.",
        discussion: """
            Exit status 0 only when nothing was lost, no worker crashed, the group committed everything, and each \
            worker's mean resident memory in the last quarter of the run exceeds the first quarter's by less than \
            --max-growth percent.
            """)

    @OptionGroup var rig: RigOptions
    @Option(help: "Requests produced per second.") var rate = 300.0
    @Option(help: "Seconds of producing.") var duration = 600.0
    @Option(help: "Worker processes.") var workers = 1
    @Option(help: "Seconds between samples.") var sampleEvery = 5.0
    @Option(help: "Each worker's Start calls in flight (--max-in-flight).") var maxInFlight = 64
    @Option(help: "Largest memory growth allowed, percent, between the first and last quarter.") var maxGrowth = 10.0
    @Option(help: "Seconds to wait, after the last request, for the group to commit everything.") var drainTimeout = 300.0

    func run() async throws {
        var logger = Logger(label: "codetask-proof")
        logger.logLevel = .error
        if !(try await SoakRun(command: self, logger: logger).run()) { throw ExitCode(1) }
    }
}
