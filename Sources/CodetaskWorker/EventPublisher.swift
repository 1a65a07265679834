import Kafka
import Logging
import Synchronization

/// Publishes output records and waits for the broker's acknowledgement, retrying retriable failures with
/// capped backoff until the job is cancelled: an outcome is never dropped because Kafka is away.
final class EventPublisher: Sendable {
    private let producer: KafkaProducer
    private let maxBackoff: Duration
    private let logger: Logger
    private let fatal = Atomic<Bool>(false)

    init(producer: KafkaProducer, maxBackoff: Duration, logger: Logger) {
        self.producer = producer
        self.maxBackoff = maxBackoff
        self.logger = logger
    }

    /// Publishes one record.
    /// - Parameter onRetry: Called before each retry.
    /// - Returns: `true` once acknowledged; `false` when the calling task was cancelled or the producer hit
    ///   a fatal error.
    func publish(_ message: KafkaOutgoingMessage, onRetry: () -> Void = {}) async -> Bool {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                _ = try await self.producer.send(message)
                return true
            } catch {
                if error.isFatal {
                    self.logger.critical("Kafka producer failed fatally", metadata: ["error": "\(error)"])
                    self.fatal.store(true, ordering: .relaxed)
                    return false
                }
                if Task.isCancelled { return false }
                self.logger.warning(
                    "Publishing failed; retrying",
                    metadata: ["topic": "\(message.topic)", "error": "\(error)", "backoff": "\(backoff)"])
                onRetry()
                do { try await Task.sleep(for: backoff) } catch { return false }
                backoff = min(backoff * 2, self.maxBackoff)
            }
        }
    }

    /// Whether the producer reported a fatal error (the worker must stop; unacknowledged records stay unfinished).
    var hasFailedFatally: Bool { self.fatal.load(ordering: .relaxed) }
}
