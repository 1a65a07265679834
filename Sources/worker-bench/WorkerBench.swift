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
    @Option(help: "A baseline codetask-worker binary (e.g. a release build of an earlier commit): each profile runs on it first, then on this build's, and the ratios after/before are printed.")
    var baseline: String?

    func run() async throws {
        var logger = Logger(label: "worker-bench")
        logger.logLevel = .error
        WorkerChild.killAllOnSignals()
        let binary = try WorkerChild.binary()
        if let baseline = self.baseline, !FileManager.default.isExecutableFile(atPath: baseline) {
            throw ValidationError("--baseline: \(baseline) is not an executable file")
        }
        var results: [String: BenchResult] = [:]
        for name in self.profiles.split(separator: ",").map(String.init) {
            guard let profile = BenchProfile.named(name) else { throw ValidationError("--profiles: unknown profile \(name)") }
            let before = try await self.baseline.asyncMap { baseline in
                try await self.measure(profile, binary: baseline, label: "baseline", logger: logger)
            }
            let result = try await self.measure(profile, binary: binary, label: before == nil ? nil : "this build", logger: logger)
            results[name] = result
            if let before { BenchResult.printChange(from: before, to: result, profile: profile) }
        }
        BenchResult.printRatios(results)
    }

    /// Runs one profile on `binary` and prints its line (prefixed by `label`, when given).
    private func measure(_ profile: BenchProfile, binary: String, label: String?, logger: Logger) async throws -> BenchResult {
        let prefix = label.map { "[\($0)] " } ?? ""
        FileHandle.standardError.write(Data("worker-bench: \(prefix)\(profile.title) ...\n".utf8))
        let result = try await BenchRun(
            profile: profile, requests: self.requests, keys: self.keys, partitions: self.partitions, maxPending: self.maxPending,
            binary: binary,
            timeout: .seconds(self.timeout), logger: logger
        ).measure()
        print(prefix + result.line(profile: profile))
        return result
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
