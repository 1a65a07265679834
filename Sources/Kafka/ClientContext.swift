internal import CRdKafka
import Logging
import Synchronization

/// What librdkafka's callbacks need from Swift, reached through the handle's `opaque` pointer.
///
/// The ``RdKafkaHandle`` keeps the context alive (strongly) for the whole life of the C handle and
/// destroys the handle first, so callbacks may use the unretained pointer safely.
final class ClientContext: Sendable {
    let logger: Logger
    /// Handles rebalances on the thread that polls while one is in progress; set by consumers.
    let rebalance: Mutex<ConsumerCore?> = Mutex(nil)
    /// The first fatal error reported by librdkafka, if any.
    let fatalError: Mutex<KafkaError?> = Mutex(nil)
    /// librdkafka's latest log lines at warning level or above, so that an error it also reports through the
    /// error callback (a failed connection, a broker down) is logged once.
    let recentProblems = Mutex(RecentLines(capacity: 16))

    init(logger: Logger) {
        self.logger = logger
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ rk: OpaquePointer?) -> ClientContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the log and error callbacks that forward librdkafka's own reports to swift-log.
    static func installCallbacks(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let context = ClientContext.from(rk) else { return }
            let text = message.map { String(cString: $0) } ?? ""
            let facilityText = facility.map { String(cString: $0) } ?? ""
            let swiftLevel = Logger.Level(syslogLevel: level)
            if swiftLevel >= .warning { context.recentProblems.withLock { $0.append(text) } }
            context.logger.log(level: swiftLevel, "\(text)", metadata: [LogKey.librdkafkaFacility: "\(facilityText)"])
        }
        rd_kafka_conf_set_error_cb(conf) { rk, err, reason, _ in
            guard let context = ClientContext.from(rk) else { return }
            let text = reason.map { String(cString: $0) } ?? ""
            if err == RD_KAFKA_RESP_ERR__FATAL.rawValue, let rk {
                var buffer = [CChar](repeating: 0, count: 512)
                let original = rd_kafka_fatal_error(rk, &buffer, buffer.count)
                let error = KafkaError(code: .fatal, message: "\(String(cString: rd_kafka_err2name(original))): "
                                       + String(nulTerminated: buffer), isFatal: true)
                context.fatalError.withLock { if $0 == nil { $0 = error } }
                context.logger.error("librdkafka fatal error", metadata: [LogKey.error: "\(error)"])
            } else {
                // Most of these repeat a log line librdkafka just wrote: that line stands for both.
                let repeated = context.recentProblems.withLock { $0.containsLine(including: text) }
                context.logger.log(level: repeated ? .debug : .warning, "librdkafka error", metadata: [
                    LogKey.error: "\(KafkaError.Code(rawValue: err).name): \(text)"])
            }
        }
    }
}

/// The last few lines of a log, oldest dropped first.
struct RecentLines: Sendable {
    private var lines: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ line: String) {
        if self.lines.count < self.capacity {
            self.lines.append(line)
        } else {
            self.lines[self.next] = line
            self.next = (self.next + 1) % self.capacity
        }
    }

    /// Whether one of the lines includes `text` (an empty text is included in none).
    func containsLine(including text: String) -> Bool {
        !text.isEmpty && self.lines.contains { $0.contains(text) }
    }
}

/// Metadata keys used in this module's log records.
enum LogKey {
    static let librdkafkaFacility = "kafka.librdkafka.facility"
    static let error = "kafka.error"
    static let topic = "kafka.topic"
    static let partitions = "kafka.partitions"
}

extension Logger.Level {
    /// Maps syslog levels, as librdkafka reports them, to swift-log levels.
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
