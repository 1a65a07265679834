import Foundation
import Metrics
import Synchronization

/// The thread-safe token bucket shared by all Start calls of a process, with its metrics:
/// `codetask_worker_rate_limit_per_second` (the rate in force), `codetask_worker_rate_limit_delayed_total` (calls
/// that waited for a token) and `codetask_worker_rate_limit_wait_seconds_total` (the time they waited, booked when
/// the token is taken).
final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket>
    private let rateInForce: Gauge
    private let delayed: Counter
    private let waited: FloatingPointCounter

    init(settings: RateLimitSettings, metrics: any MetricsFactory) {
        self.bucket = Mutex(TokenBucket(settings: settings))
        self.rateInForce = Gauge(label: "codetask_worker_rate_limit_per_second", factory: metrics)
        self.delayed = Counter(label: "codetask_worker_rate_limit_delayed_total", factory: metrics)
        self.waited = FloatingPointCounter(label: "codetask_worker_rate_limit_wait_seconds_total", factory: metrics)
        self.rateInForce.record(settings.startsPerSecond)
    }

    /// Takes a token; returns the wait before using it, or `nil` (taking nothing) when it would exceed `maxWait`.
    func reserve(now: Date, maxWait: Duration) -> Duration? {
        let wait = self.bucket.withLock { $0.reserve(now: now, maxWait: maxWait) }
        if let wait, wait > .zero {
            self.delayed.increment()
            self.waited.increment(by: wait.inSeconds)
        }
        return wait
    }

    /// Runs at `share` of the budget from now on (see ``TokenBucket/setShare(_:now:)``).
    func setShare(_ share: Double, now: Date) {
        let rate = self.bucket.withLock { bucket in
            bucket.setShare(share, now: now)
            return bucket.rate
        }
        self.rateInForce.record(rate)
    }

    /// The rate in force, calls per second.
    var rate: Double { self.bucket.withLock { $0.rate } }

    /// Holds every reservation until `until`.
    func hold(until: Date) {
        self.bucket.withLock { $0.hold(until: until) }
    }
}
