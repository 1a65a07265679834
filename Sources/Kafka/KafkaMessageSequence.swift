/// The records of a ``KafkaConsumer``'s assigned partitions as an async sequence.
///
/// Fetches in batches on the consumer's polling queue. A record of a partition paused after it was fetched
/// is held back (and released on resume); one of a partition no longer assigned is dropped (its new owner
/// reads it from the committed offset).
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage
    public typealias Failure = KafkaError

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer) }

    /// Iterates the records; returns `nil` once the consumer is closed or the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        private var buffer: [KafkaMessage] = []
        private var index = 0

        init(consumer: KafkaConsumer) { self.consumer = consumer }

        public mutating func next() async throws(KafkaError) -> KafkaMessage? {
            while true {
                while index < buffer.count {
                    let message = buffer[index]
                    index += 1
                    let disposition: ConsumerState.Disposition = consumer.core.state.withLock { state in
                        let disposition = state.disposition(of: message)
                        if disposition == .hold { state.hold(message) }
                        return disposition
                    }
                    if disposition == .deliver { return message }
                }
                if Task.isCancelled || consumer.isClosed { return nil }
                buffer = try await consumer.poll(timeout: .milliseconds(100))
                index = 0
            }
        }
    }
}
