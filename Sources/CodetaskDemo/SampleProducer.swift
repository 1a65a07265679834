public import CodetaskWorker
public import Kafka

/// Produces sample records and remembers where each one landed.
public enum SampleProducer {
    /// Sends the samples (all at once, acknowledged before returning).
    /// - Returns: Each sample by the position it was written to.
    /// - Throws: The first ``KafkaError`` of a send.
    public static func produce(_ samples: [SampleRecord], topic: String, with producer: KafkaProducer) async throws
        -> [RecordSource: SampleRecord]
    {
        try await withThrowingTaskGroup(of: (RecordSource, SampleRecord).self) { group in
            for sample in samples {
                group.addTask {
                    let report = try await producer.send(sample.outgoing(topic: topic))
                    return (RecordSource(topic: topic, partition: report.topicPartition.partition, offset: report.offset), sample)
                }
            }
            var positions: [RecordSource: SampleRecord] = [:]
            for try await (source, sample) in group { positions[source] = sample }
            return positions
        }
    }
}
