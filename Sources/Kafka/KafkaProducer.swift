internal import CRdKafka
public import Logging
import Synchronization

/// A Kafka producer: idempotent by default, with keys, headers, awaitable delivery, flush and transactions.
///
/// A dedicated thread polls librdkafka for delivery reports, so awaiting a send never blocks the
/// cooperative pool; while records are being enqueued, ``enqueue(_:onDelivery:)`` serves the reports
/// already due instead (see `DeliveryReportServing`).
/// Call ``close(timeout:)`` before dropping the last reference: it flushes what is queued
/// and fails what cannot be delivered, so every pending send is answered.
public final class KafkaProducer: Sendable {
    let handle: RdKafkaHandle
    private let topics = Mutex(TopicHandles())
    private let poller: PollingThread
    private let closed = Atomic(false)
    private let serving: DeliveryReportServing
    let logger: Logger
    /// The producer's `message.max.bytes`: the largest record it accepts (see ``checkSize(_:)``).
    public let maxMessageBytes: Int

    /// Creates the producer and starts its polling thread.
    /// - Throws: ``KafkaError`` for an invalid configuration (including a refused pass-through property, see
    ///   ``KafkaProducerConfiguration/validate()``) or a librdkafka older than 2.2.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        try configuration.validate()
        self.maxMessageBytes = configuration.maxMessageBytes
        let context = ClientContext(logger: logger)
        let handle = try RdKafkaHandle(kind: .producer, properties: configuration.librdkafkaProperties,
                                       context: context) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                let callback = Unmanaged<DeliveryCallback>.fromOpaque(opaque).takeRetainedValue()
                callback.complete(with: message)
            }
        }
        self.handle = handle
        self.logger = logger
        let serving = DeliveryReportServing(handle: handle)
        self.serving = serving
        self.poller = PollingThread(name: "kafka-producer-poll") { serving.pollingTurn() }
    }

    deinit {
        shutDown(flushTimeout: .zero)
        topics.withLock { cached in cached.all.forEach { rd_kafka_topic_destroy($0) } }
    }

    /// Enqueues a record and returns once the broker has acknowledged it.
    ///
    /// Waits (without blocking a thread) while the local queue is full. Once enqueued a record cannot be
    /// recalled: cancelling the task does not stop delivery.
    /// - Returns: the partition and offset the record was stored at.
    /// - Throws: ``KafkaError``; `isRetriable` when the broker could not be reached within `messageTimeout`.
    @discardableResult
    public func send(_ message: KafkaOutgoingMessage) async throws(KafkaError) -> KafkaDeliveryReport {
        while true {
            let outcome: Result<KafkaDeliveryReport, KafkaError> = await withCheckedContinuation { continuation in
                do throws(KafkaError) {
                    try enqueue(message) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            // Only enqueue reports a full queue (delivery reports never do): wait for room, then try again.
            guard case .failure(let error) = outcome, error.code == .queueFull else { return try outcome.get() }
            do { try await Task.sleep(for: .milliseconds(2)) } catch {
                throw KafkaError(code: .state, message: "send cancelled while the producer queue was full",
                                 isRetriable: true)
            }
        }
    }

    /// Whether `message` is small enough for this producer (``maxMessageBytes``).
    public func fits(_ message: KafkaOutgoingMessage) -> Bool {
        message.maximumWireSize <= self.maxMessageBytes
    }

    /// Checks a record against ``maxMessageBytes`` before it is sent; ``send(_:)`` and ``enqueue(_:onDelivery:)``
    /// check too, so a record that is too large never reaches librdkafka.
    /// - Throws: ``KafkaError/Code/messageSizeTooLarge`` (permanent) naming the sizes.
    public func checkSize(_ message: KafkaOutgoingMessage) throws(KafkaError) {
        let size = message.maximumWireSize
        guard size <= self.maxMessageBytes else {
            throw KafkaError(
                code: .messageSizeTooLarge,
                message: "a record of up to \(size) bytes for \(message.topic) exceeds the producer's message.max.bytes "
                    + "(\(self.maxMessageBytes))", isRetriable: false)
        }
    }

    /// Enqueues a record and calls `onDelivery` when its fate is known.
    ///
    /// The fastest way to produce many records: no task per record. `onDelivery` is called exactly once
    /// when this method returns normally, never when it throws. It runs on the producer's polling thread or
    /// inside a later `enqueue`, `send` or `flush` call on this producer (each serves the reports already due),
    /// so it must not block and must not wait for a lock held around those calls.
    /// - Throws: ``KafkaError/Code/queueFull`` (retriable) when the local queue is full, or another error.
    public func enqueue(_ message: KafkaOutgoingMessage,
                        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) throws(KafkaError) {
        guard !closed.load(ordering: .acquiring) else {
            throw KafkaError(code: .state, message: "the producer is closed", isRetriable: false)
        }
        try checkSize(message)
        defer { serving.afterEnqueue() }
        let topic = topicHandle(message.topic)
        let callback = Unmanaged.passRetained(DeliveryCallback(topic: message.topic, onDelivery)).toOpaque()
        let headers = Self.makeHeaders(message.headers)
        // librdkafka writes a null value for a NULL pointer: an empty value gets a real (unread) byte to point at.
        let valueBytes: [UInt8]? = message.isTombstone ? nil : (message.value.isEmpty ? [0] : message.value)
        let error: OpaquePointer? = withOptionalBytes(valueBytes) { value in
            withOptionalBytes(message.key) { key in
                codetask_produce(handle.pointer, topic, message.partition ?? RD_KAFKA_PARTITION_UA,
                                 value?.baseAddress, message.value.count, key?.baseAddress, key?.count ?? 0,
                                 headers, callback, message.timestampMilliseconds == nil ? 0 : 1,
                                 message.timestampMilliseconds ?? 0)
            }
        }
        if let error {
            Unmanaged<DeliveryCallback>.fromOpaque(callback).release()
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError(consuming: error, context: "produce to \(message.topic)")
        }
    }

    /// Waits until every queued record is delivered or has failed.
    /// - Throws: ``KafkaError/Code/timedOut`` when records are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in
            try KafkaError.check(rd_kafka_flush(handle.pointer, timeout.int32Milliseconds), "flush")
        }
    }

    /// The number of records queued or in flight.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(handle.pointer)) }

    /// How long ago the thread that serves delivery reports last began a turn (each turn lasts at most 100 ms):
    /// seconds of silence mean it is stuck in a callback, and no send completes meanwhile.
    public var deliveryLoopSilence: Duration { poller.silence }

    /// Flushes for at most `timeout`, then fails whatever is still pending (its senders get an error) and
    /// stops the polling thread. Idempotent; the producer cannot send afterwards.
    public func close(timeout: Duration) async {
        // The body cannot fail; `try?` only satisfies the typed-throws signature of the bridge.
        _ = try? await BlockingCall.run { [self] in shutDown(flushTimeout: timeout) }
    }

    private func shutDown(flushTimeout: Duration) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = rd_kafka_flush(handle.pointer, flushTimeout.int32Milliseconds)
        // Whatever is left gets a purge error through its delivery callback, so no sender waits forever.
        _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        poller.stop()
        for _ in 0..<50 where rd_kafka_outq_len(handle.pointer) > 0 {
            _ = rd_kafka_poll(handle.pointer, 100)
        }
    }

    private func topicHandle(_ name: String) -> OpaquePointer {
        topics.withLock { cached in
            cached.handle(for: name) { rd_kafka_topic_new(handle.pointer, $0, nil)! }
        }
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            withOptionalBytes(header.value) { value in
                _ = rd_kafka_header_add(list, header.name, -1, value?.baseAddress, value?.count ?? 0)
            }
        }
        return list
    }
}

/// The producer's topic handles, created on first use and kept for its life. The last one used is found
/// without hashing its name: a producer mostly writes to one topic at a time.
private struct TopicHandles: @unchecked Sendable {
    private var byName: [String: OpaquePointer] = [:]
    private var last: (name: String, pointer: OpaquePointer)?

    /// The handle of topic `name`, made with `create` the first time.
    mutating func handle(for name: String, create: (String) -> OpaquePointer) -> OpaquePointer {
        if let last, last.name == name { return last.pointer }
        let pointer = byName[name] ?? create(name)
        byName[name] = pointer
        last = (name, pointer)
        return pointer
    }

    /// Every handle made so far.
    var all: Dictionary<String, OpaquePointer>.Values { byName.values }
}

/// The per-record delivery callback, passed retained to librdkafka as the message opaque and released
/// when the delivery report arrives. It keeps the record's topic name, so the report needs no C string.
private final class DeliveryCallback {
    let topic: String
    let body: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    init(topic: String, _ body: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        self.topic = topic
        self.body = body
    }

    func complete(with message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            body(.success(KafkaDeliveryReport(topicPartition: TopicPartition(topic: topic, partition: m.partition),
                                              offset: m.offset)))
        } else {
            body(.failure(KafkaError(m.err, context: "delivery to \(topic)")))
        }
    }
}

/// Calls `body` with the bytes of `bytes`, or with `nil` when there are none.
func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
