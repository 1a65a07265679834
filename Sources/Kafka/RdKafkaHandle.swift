internal import CRdKafka
import Foundation

/// Owns one `rd_kafka_t` and destroys it in `deinit`. librdkafka handles are thread-safe,
/// so the handle may be shared across tasks.
final class RdKafkaHandle: @unchecked Sendable {
    enum Kind { case producer, consumer }

    let pointer: OpaquePointer
    /// Kept alive as long as the handle: librdkafka callbacks reach it through the unretained opaque pointer.
    let context: ClientContext

    /// Creates the C handle from librdkafka properties.
    /// - Parameter configure: extra callback registration on the `rd_kafka_conf_t` before the handle is made.
    /// - Throws: ``KafkaError`` naming the first property librdkafka rejects (secret values are never shown).
    init(kind: Kind, properties: [String: String], context: ClientContext,
         configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) {
        try Librdkafka.requireSupportedVersion()
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .invalidArgument, message: "rd_kafka_conf_new failed")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = KafkaClientConfiguration.isSecret(property: key)
                    ? "the value is not accepted" : String(nulTerminated: errorText)
                throw KafkaError(code: .invalidArgument, message: "Kafka property \"\(key)\": \(detail)",
                                 isRetriable: false)
            }
        }
        rd_kafka_conf_set_opaque(conf, context.opaque)
        ClientContext.installCallbacks(on: conf)
        configure(conf)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let rk = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)  // on failure the configuration still belongs to us
            throw KafkaError(code: .invalidArgument, message: "cannot create Kafka client: \(String(nulTerminated: errorText))",
                             isRetriable: false)
        }
        self.pointer = rk
        self.context = context
    }

    deinit {
        rd_kafka_destroy(pointer)
    }

    /// A boolean property as the instance really uses it; `nil` when it cannot be read.
    func booleanProperty(_ name: String) -> Bool? {
        var buffer = [CChar](repeating: 0, count: 16)
        var size = buffer.count
        guard rd_kafka_conf_get(rd_kafka_conf(pointer), name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(nulTerminated: buffer) == "true"
    }

    /// The fatal error librdkafka reported for this instance, if any.
    var fatalError: KafkaError? { context.fatalError.withLock { $0 } }
}

/// Runs blocking librdkafka calls (flush, commit, close, admin requests) off Swift's cooperative pool.
enum BlockingCall {
    private static let queue = DispatchQueue(label: "codetask.kafka.blocking", attributes: .concurrent)

    /// Runs `body` on a dispatch thread and returns its result to the awaiting task.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(KafkaError) { continuation.resume(returning: .success(try body())) }
                catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }
}

extension String {
    /// Decodes a NUL-terminated C string that librdkafka wrote into a Swift-owned buffer.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
