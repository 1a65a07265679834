/// A pass-through librdkafka property (``KafkaClientConfiguration/properties``) that the Kafka layer refuses
/// because it would break what the layer promises: offsets stored and committed by the application only,
/// idempotent `acks=all` delivery, a delivery report for every record, cooperative rebalancing, and a known
/// `message.max.bytes` to check records against.
///
/// Each client checks its configuration when it is created; ``KafkaConsumerConfiguration/refusedProperty`` and
/// ``KafkaProducerConfiguration/refusedProperty`` let an application check first and name the property itself.
public struct RefusedProperty: Sendable, Hashable, CustomStringConvertible {
    /// The property's name, e.g. `enable.auto.commit`.
    public let name: String
    /// Why it is refused and what is allowed.
    public let reason: String

    /// Creates a refusal.
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    /// `Kafka property "<name>" is refused: <reason>`.
    public var description: String { "Kafka property \"\(self.name)\" is refused: \(self.reason)" }

    /// The refusal as a non-retriable ``KafkaError`` (code `_INVALID_ARG`).
    var error: KafkaError { KafkaError(code: .invalidArgument, message: self.description, isRetriable: false) }

    /// The smallest and largest `message.max.bytes` librdkafka accepts.
    static let messageMaxBytesRange = 1000...1_000_000_000

    /// One rule: a property and a check of its (trimmed, lower-cased) value that returns why it is refused.
    struct Rule: Sendable {
        let name: String
        let refusal: @Sendable (String) -> String?

        /// A boolean property that must stay off.
        static func mustBeOff(_ name: String, _ why: String) -> Rule {
            Rule(name: name) { ["false", "f", "0"].contains($0) ? nil : "must be false: \(why)" }
        }

        /// A property that must be a whole number of at least 1.
        static func positive(_ name: String, _ why: String) -> Rule {
            Rule(name: name) { value in Int(value).map { $0 >= 1 } == true ? nil : "must be a whole number of at least 1: \(why)" }
        }

        /// A property that may only take one of `allowed`.
        static func oneOf(_ name: String, _ allowed: [String], _ why: String) -> Rule {
            Rule(name: name) { allowed.contains($0) ? nil : "must be \(allowed.joined(separator: " or ")): \(why)" }
        }
    }

    /// The first pass-through property in `properties` that breaks one of `rules`.
    static func first(in properties: [String: String], breaking rules: [Rule]) -> RefusedProperty? {
        for rule in rules {
            guard let value = properties[rule.name] else { continue }
            if let reason = rule.refusal(value.trimmingWhitespace.lowercased()) {
                return RefusedProperty(name: rule.name, reason: reason)
            }
        }
        return nil
    }

    /// Rules every client applies, whatever its kind (the properties are shared by all clients of a configuration).
    static let commonRules: [Rule] = [
        Rule(name: "message.max.bytes") { value in
            guard let bytes = Int(value), Self.messageMaxBytesRange.contains(bytes) else {
                return "must be a whole number of bytes from \(Self.messageMaxBytesRange.lowerBound) to "
                    + "\(Self.messageMaxBytesRange.upperBound)"
            }
            return nil
        },
    ]
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
