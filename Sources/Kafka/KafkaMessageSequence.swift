/// The records of a ``KafkaConsumer``'s assigned partitions as an async sequence.
///
/// Fetches in batches on the consumer's polling queue. A record of a partition paused after it was fetched
/// is held back (and released on resume); one of a partition no longer assigned, or assigned again since it was
/// fetched, is dropped (its new owner reads it from the committed offset).
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage
    public typealias Failure = KafkaError

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer) }

    /// Iterates the records; returns `nil` once the consumer is closed or the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        private var buffer: [ConsumerState.Fetched] = []
        private var index = 0

        init(consumer: KafkaConsumer) { self.consumer = consumer }

        public mutating func next() async throws(KafkaError) -> KafkaMessage? {
            while true {
                while index < buffer.count {
                    let record = buffer[index]
                    index += 1
                    let disposition: ConsumerState.Disposition = consumer.core.state.withLock { state in
                        let disposition = state.disposition(of: record)
                        if disposition == .hold { state.hold(record) }
                        return disposition
                    }
                    if disposition == .deliver { return record.message }
                }
                if Task.isCancelled || consumer.isClosed { return nil }
                buffer = try await consumer.pollStamped(timeout: .milliseconds(100))
                index = 0
            }
        }
    }
}
