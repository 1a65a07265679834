import Kafka
import Logging
import Synchronization

/// Publishes output records and waits for the broker's acknowledgement, retrying retriable failures with
/// capped backoff until the job is cancelled or the publisher is closed: an outcome is never dropped because
/// Kafka is away, a record Kafka will never take is reported at once instead of retried forever, and nothing
/// is retried once the producer is closed (see ``close(until:)``).
final class EventPublisher: Sendable {
    private let producer: KafkaProducer
    private let maxBackoff: Duration
    private let logger: Logger
    private let fatal = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

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
        /// The calling task was cancelled, the producer failed fatally or the publisher is closed: there is no
        /// durable outcome.
        case abandoned
    }

    /// Publishes one record: retriable failures are retried with capped backoff until acknowledged, the
    /// calling task is cancelled or the publisher is closed; a permanent failure is returned at once.
    /// - Parameter onRetry: Called before each retry.
    func publish(_ message: KafkaOutgoingMessage, onRetry: () -> Void = {}) async -> Result {
        var backoff = Duration.milliseconds(100)
        while true {
            // A closed producer refuses every record with an error that is neither permanent nor fatal.
            if self.isClosed { return .abandoned }
            do {
                let report = try await self.producer.send(message)
                return .acknowledged(offset: report.offset)
            } catch {
                if error.isFatal {
                    self.failFatally("\(error)")
                    return .abandoned
                }
                if error.isPermanent { return .refused(error) }
                if Task.isCancelled || self.isClosed { return .abandoned }
                self.logger.warning(
                    "Publishing failed; retrying",
                    metadata: ["topic": "\(message.topic)", "error": "\(error)", "backoff": "\(backoff)"])
                onRetry()
                do { try await Task.sleep(for: backoff) } catch { return .abandoned }
                backoff = min(backoff * 2, self.maxBackoff)
            }
        }
    }

    /// Flushes the producer for up to half the time left before `deadline`, then closes it. From the start of
    /// the call, no record is sent or retried any more: every publish, new or waiting to retry, ends at once as
    /// ``Result/abandoned`` (records already handed to the producer still get their flush).
    func close(until deadline: ContinuousClock.Instant) async {
        self.closed.store(true, ordering: .relaxed)
        do {
            try await self.producer.flush(timeout: max(.milliseconds(100), (deadline - .now) / 2))
        } catch {
            self.logger.warning("Producer flush incomplete", metadata: ["error": "\(error)"])
        }
        await self.producer.close(timeout: .milliseconds(100))
    }

    /// Whether ``close(until:)`` was called.
    var isClosed: Bool { self.closed.load(ordering: .relaxed) }

    /// Marks the producer failed: the worker stops, leaving unacknowledged records uncommitted.
    func failFatally(_ reason: String) {
        self.logger.critical("Kafka producer failed fatally", metadata: ["error": "\(reason)"])
        self.fatal.store(true, ordering: .relaxed)
    }

    /// Whether the producer reported a fatal error (the worker must stop; unacknowledged records stay unfinished).
    var hasFailedFatally: Bool { self.fatal.load(ordering: .relaxed) }
}
