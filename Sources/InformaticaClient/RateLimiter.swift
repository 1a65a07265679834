import Foundation
import Synchronization

/// The thread-safe token bucket shared by all Start calls of a process.
final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket>

    init(settings: RateLimitSettings) {
        self.bucket = Mutex(TokenBucket(settings: settings))
    }

    /// Takes a token; returns the wait before using it, or `nil` (taking nothing) when it would exceed `maxWait`.
    func reserve(now: Date, maxWait: Duration) -> Duration? {
        self.bucket.withLock { $0.reserve(now: now, maxWait: maxWait) }
    }
}
