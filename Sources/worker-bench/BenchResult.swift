import Foundation

/// What one profile measured.
struct BenchResult: Sendable {
    /// Start calls per second between 10 % and 90 % of the run.
    var rate: Double
    /// The worker process's CPU seconds per 10,000 requests over the same window.
    var cpuPer10k: Double
    /// The worker process's peak resident memory, in MiB.
    var peakMemoryMiB: Double
    /// The worker's threads' context switches per request over the same window.
    var switchesPerRequest: Double
    /// Whether the worker exited 0 after SIGTERM.
    var exitedCleanly: Bool
    /// What the run left once the worker stopped: the simulator's Start calls, the events on the output topic
    /// (the sum of its partitions' end offsets) and the group's committed positions on the input topic (their sum).
    var startCalls: Int
    var events: Int64
    var committed: Int64

    func line(profile: BenchProfile, requests: Int) -> String {
        let limit = profile.limit.map { String(format: ", %.2f of the limit %.0f/s", self.rate / $0, $0) } ?? ""
        return String(
            format: "%@: %.0f requests/s%@; CPU %.3f s per 10,000 requests; %.1f context switches per request; "
                + "peak memory %.1f MiB; exit %@; Start calls %ld, events %lld, committed %lld of %ld",
            profile.title, self.rate, limit, self.cpuPer10k, self.switchesPerRequest, self.peakMemoryMiB,
            self.exitedCleanly ? "0" : "not 0",
            self.startCalls, self.events, self.committed, requests)
    }

    /// This build against a worker run on the same profile of this run first (`against` names it): rate and CPU per
    /// request, this build / that worker.
    static func printChange(from before: BenchResult, to after: BenchResult, profile: BenchProfile, against: String) {
        print(String(
            format: "%@ this build / %@: requests/s %.3f, CPU per 10,000 %.3f, context switches per request %.3f, peak memory %.3f",
            profile.title, against, after.rate / before.rate, after.cpuPer10k / before.cpuPer10k,
            after.switchesPerRequest / before.switchesPerRequest, after.peakMemoryMiB / before.peakMemoryMiB))
    }

    /// Ratios between profiles of this run.
    static func printRatios(_ results: [String: BenchResult]) {
        if let a = results["a"], let b = results["b"] {
            print(String(format: "ratio (b)/(a) requests/s: %.1f", b.rate / a.rate))
        }
        if let b = results["b"], let off = results["b-no-metrics"] {
            print(String(format: "metrics: CPU per 10,000 with / without: %.3f / %.3f s (%+.1f %%)", b.cpuPer10k, off.cpuPer10k,
                         (b.cpuPer10k / off.cpuPer10k - 1) * 100))
        }
        if let b = results["b"], let traced = results["b-tracing"] {
            print(String(format: "tracing: CPU per 10,000 with / without: %.3f / %.3f s (%+.1f %%)", traced.cpuPer10k, b.cpuPer10k,
                         (traced.cpuPer10k / b.cpuPer10k - 1) * 100))
        }
    }
}
