public import Kafka

/// One generated input record and what the worker should make of it.
public struct SampleRecord: Sendable, Hashable {
    /// What should happen to a sample record.
    public enum Expectation: Sendable, Hashable {
        /// A valid request for this code task: a started or failed event.
        case start(codeTaskId: String)
        /// Not a valid request: a dead-letter copy with this reason (and a failed event when the id was readable).
        case deadLetter(reason: String)
    }

    /// The record key.
    public var key: String?
    /// The record value.
    public var value: [UInt8]
    /// The record headers.
    public var headers: [KafkaHeader]
    /// The expected outcome.
    public var expectation: Expectation
    /// Whether the record is a tombstone (a null value; ``value`` is then empty).
    public var isTombstone = false

    /// Creates a sample.
    public init(key: String?, value: [UInt8], headers: [KafkaHeader] = [], expectation: Expectation) {
        self.key = key
        self.value = value
        self.headers = headers
        self.expectation = expectation
    }

    /// The record for a topic.
    public func outgoing(topic: String) -> KafkaOutgoingMessage {
        var message = KafkaOutgoingMessage(
            topic: topic, key: self.key.map { Array($0.utf8) }, value: self.value, headers: self.headers)
        message.isTombstone = self.isTombstone
        return message
    }

    /// Whether this sample should end in the dead-letter topic.
    public var isMalformed: Bool {
        if case .deadLetter = self.expectation { return true }
        return false
    }
}
