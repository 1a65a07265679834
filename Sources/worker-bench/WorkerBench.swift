import ArgumentParser
import Foundation
import Logging
import ProofSupport

/// The worker end to end: the release `codetask-worker` binary as a child process, against librdkafka's mock
/// cluster and the Informatica simulator (with a set latency) in this process. For each profile it prints the
/// steady rate of Start calls (between 10 % and 90 % of the run), the ratio to the limit in-flight ÷ latency,
/// the worker process's CPU seconds per 10,000 requests and its peak resident memory; ratios compare profiles of
/// the same run.
@main
struct WorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-bench",
        abstract: "End-to-end worker benchmark (build codetask-worker and worker-bench with -c release).")

    @Option(help: "Requests per profile.") var requests = 20_000
    @Option(help: "Distinct code task ids (ordering keys).") var keys = 2_000
    @Option(help: "Input partitions.") var partitions = 12
    @Option(help: "Profiles to run, comma-separated: a (12 in flight, 50 ms), b (256 in flight, 50 ms), c (256, no latency), b-no-metrics, b-tracing, b-no-journal, c-no-journal.")
    var profiles = "a,b,c,b-no-metrics,b-tracing,b-no-journal,c-no-journal"
    @Option(help: "Time limit of each profile, in seconds.") var timeout = 600
    @Option(help: "The worker's unfinished-record limit (--max-pending); default 4 × in flight, at least 1,000.")
    var maxPending: Int?

    func run() async throws {
        var logger = Logger(label: "worker-bench")
        logger.logLevel = .error
        WorkerChild.killAllOnSignals()
        let binary = try WorkerChild.binary()
        var results: [String: BenchResult] = [:]
        for name in self.profiles.split(separator: ",").map(String.init) {
            guard let profile = BenchProfile.named(name) else { throw ValidationError("--profiles: unknown profile \(name)") }
            FileHandle.standardError.write(Data("worker-bench: \(profile.title) ...\n".utf8))
            let result = try await BenchRun(
                profile: profile, requests: self.requests, keys: self.keys, partitions: self.partitions, maxPending: self.maxPending,
                binary: binary,
                timeout: .seconds(self.timeout), logger: logger
            ).measure()
            results[name] = result
            print(result.line(profile: profile))
        }
        BenchResult.printRatios(results)
    }
}
