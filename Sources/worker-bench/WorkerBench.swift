import ArgumentParser
import Foundation
import Logging
import ProofSupport

/// The worker end to end: the release `codetask-worker` binary as a child process, against librdkafka's mock
/// cluster and the Informatica simulator (with a set latency) in this process. For each profile it prints the
/// steady rate of Start calls (between 10 % and 90 % of the run), the ratio to the limit in-flight ÷ latency,
/// the worker process's CPU seconds per 10,000 requests and its peak resident memory; ratios compare profiles of
/// the same run, and this build with a baseline build or the Python baseline worker run on the same profile first.
@main
struct WorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-bench",
        abstract: "End-to-end worker benchmark (build codetask-worker and worker-bench with -c release).")

    @Option(help: "Requests per profile.") var requests = 20_000
    @Option(help: "Distinct code task ids (ordering keys).") var keys = 2_000
    @Option(help: "Input partitions.") var partitions = 12
    @Option(help: "Profiles to run, comma-separated: a (12 in flight, 50 ms), b (256 in flight, 50 ms), c (256, no latency), defaults (the worker's own in-flight and connection limits, 50 ms), b-no-metrics, b-tracing, b-no-journal, c-no-journal.")
    var profiles = "a,b,c,defaults,b-no-metrics,b-tracing,b-no-journal,c-no-journal"
    @Option(help: "Time limit of each profile, in seconds.") var timeout = 600
    @Option(help: "The worker's unfinished-record limit (--max-pending); default the worker's own (1,000 or 16 × in flight).")
    var maxPending: Int?
    @Option(help: "A baseline codetask-worker binary (e.g. a release build of an earlier commit): each profile runs on it first, then on this build's, and the ratios after/before are printed.")
    var baseline: String?
    @Option(help: "A Python interpreter with confluent-kafka and aiohttp (e.g. /usr/bin/python3): each profile runs on scripts/baseline-worker.py under it first (after --baseline), then on this build's, and the ratios this build / Python are printed. The baseline keeps no journal, serves no metrics and exports no traces.")
    var python: String?
    @Option(help: "An extra worker setting NAME=VALUE passed to every worker run (after the profile's), e.g. CODETASK_KAFKA_PROPERTY=linger.ms=1; repeatable.")
    var setting: [String] = []

    func run() async throws {
        _ = try self.extraSettings()    // refused before any profile runs
        var logger = Logger(label: "worker-bench")
        logger.logLevel = .error
        WorkerChild.killAllOnSignals()
        let binary = try WorkerChild.binary()
        var references: [BenchWorker] = []
        if let baseline = self.baseline {
            guard FileManager.default.isExecutableFile(atPath: baseline) else {
                throw ValidationError("--baseline: \(baseline) is not an executable file")
            }
            references.append(.build(baseline, label: "baseline"))
        }
        if let python = self.python {
            references.append(try .python(interpreter: python))
            print("worker-bench: the Python baseline keeps no journal, serves no metrics and exports no traces: "
                + "it ignores those settings of the profiles")
        }
        let thisBuild = BenchWorker.build(binary, label: "this build")
        var results: [String: BenchResult] = [:]
        for name in self.profiles.split(separator: ",").map(String.init) {
            guard let profile = BenchProfile.named(name) else { throw ValidationError("--profiles: unknown profile \(name)") }
            var before: [BenchResult] = []
            for reference in references { before.append(try await self.measure(profile, on: reference, labelled: true, logger: logger)) }
            let result = try await self.measure(profile, on: thisBuild, labelled: !references.isEmpty, logger: logger)
            results[name] = result
            for (reference, earlier) in zip(references, before) {
                BenchResult.printChange(from: earlier, to: result, profile: profile, against: reference.label)
            }
        }
        BenchResult.printRatios(results)
    }

    /// Runs one profile on `worker` and prints its line (prefixed by the worker's label when `labelled`).
    private func measure(_ profile: BenchProfile, on worker: BenchWorker, labelled: Bool, logger: Logger) async throws -> BenchResult {
        let prefix = labelled ? "[\(worker.label)] " : ""
        FileHandle.standardError.write(Data("worker-bench: \(prefix)\(profile.title) ...\n".utf8))
        let result = try await BenchRun(
            profile: profile, requests: self.requests, keys: self.keys, partitions: self.partitions, maxPending: self.maxPending,
            worker: worker, extraSettings: try self.extraSettings(),
            timeout: .seconds(self.timeout), logger: logger
        ).measure()
        print(prefix + result.line(profile: profile, requests: self.requests))
        return result
    }

    /// The `--setting` values by name.
    /// - Throws: `ValidationError` for one that is not NAME=VALUE.
    private func extraSettings() throws -> [String: String] {
        var settings: [String: String] = [:]
        for setting in self.setting {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw ValidationError("--setting: '\(setting)' is not NAME=VALUE")
            }
            settings[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        return settings
    }
}
