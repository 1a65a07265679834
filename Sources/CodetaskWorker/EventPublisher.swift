import Kafka
import Logging
import Synchronization

/// Publishes output records and waits for the broker's acknowledgement, retrying retriable failures with
/// capped backoff until the job is cancelled: an outcome is never dropped because Kafka is away, and a record
/// Kafka will never take is reported at once instead of retried forever.
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

    /// How publishing one record ended.
    enum Result: Sendable {
        /// The broker acknowledged it, at this offset.
        case acknowledged(offset: Int64)
        /// It can never be published as it is (``KafkaError/isPermanent``: too large, invalid, not authorized,
        /// unknown topic); the caller publishes a replacement.
        case refused(KafkaError)
        /// The calling task was cancelled, or the producer failed fatally: there is no durable outcome.
        case abandoned
    }

    /// Publishes one record: retriable failures are retried with capped backoff until acknowledged or the
    /// calling task is cancelled; a permanent failure is returned at once.
    /// - Parameter onRetry: Called before each retry.
    func publish(_ message: KafkaOutgoingMessage, onRetry: () -> Void = {}) async -> Result {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                let report = try await self.producer.send(message)
                return .acknowledged(offset: report.offset)
            } catch {
                if error.isFatal {
                    self.failFatally("\(error)")
                    return .abandoned
                }
                if error.isPermanent { return .refused(error) }
                if Task.isCancelled { return .abandoned }
                self.logger.warning(
                    "Publishing failed; retrying",
                    metadata: ["topic": "\(message.topic)", "error": "\(error)", "backoff": "\(backoff)"])
                onRetry()
                do { try await Task.sleep(for: backoff) } catch { return .abandoned }
                backoff = min(backoff * 2, self.maxBackoff)
            }
        }
    }

    /// Marks the producer failed: the worker stops, leaving unacknowledged records uncommitted.
    func failFatally(_ reason: String) {
        self.logger.critical("Kafka producer failed fatally", metadata: ["error": "\(reason)"])
        self.fatal.store(true, ordering: .relaxed)
    }

    /// Whether the producer reported a fatal error (the worker must stop; unacknowledged records stay unfinished).
    var hasFailedFatally: Bool { self.fatal.load(ordering: .relaxed) }
}
