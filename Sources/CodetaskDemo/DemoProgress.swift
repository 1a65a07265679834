public import CodetaskWorker

/// A snapshot of the demo while the worker runs: outcomes so far, their rate, calls in flight and held requests.
public struct DemoProgress: Sendable, Hashable {
    /// Requests produced.
    public var requested: Int
    /// The worker's counts and gauges now.
    public var statistics: WorkerStatistics
    /// Time since the worker started.
    public var elapsed: Duration

    /// Creates a snapshot.
    public init(requested: Int, statistics: WorkerStatistics, elapsed: Duration) {
        self.requested = requested
        self.statistics = statistics
        self.elapsed = elapsed
    }

    /// Outcomes published so far: started and failed events and dead letters.
    public var outcomes: Int { self.statistics.started + self.statistics.failed + self.statistics.deadLettered }

    /// Outcomes per second since the worker started.
    public var rate: Double {
        let seconds = Double(self.elapsed.components.seconds) + Double(self.elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(self.outcomes) / seconds : 0
    }

    /// One line without control characters, e.g.
    /// `demo: received 120/300 started=80 failed=9 dead-lettered=10 | 41.3/s | in flight 12 | held 0`.
    public var line: String {
        let stats = self.statistics
        let rate = (self.rate * 10).rounded() / 10
        return "demo: received \(stats.received)/\(self.requested) started=\(stats.started) failed=\(stats.failed) "
            + "dead-lettered=\(stats.deadLettered) | \(rate)/s | in flight \(stats.inFlight) | held \(stats.held)"
    }
}
