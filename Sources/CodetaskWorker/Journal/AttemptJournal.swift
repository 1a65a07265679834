import Foundation
import InformaticaClient
import Kafka
import Logging

/// The worker's attempt journal: the topic, this instance's name in it, the reader used at assignment and the
/// policy for records in doubt (what it wrote is kept by the worker core: ``JournalLedger``). See ``WorkerConfiguration/attemptJournal``.
final class AttemptJournal: Sendable {
    /// The journal topic.
    let topic: String
    /// This worker instance, as named in the entries it writes: host, process id and a random suffix (a
    /// restarted container often has the same host name and process id).
    let member: String
    let reader: KafkaPartitionReader
    /// What an in-doubt record gets: `fail` publishes a failed event, `retry` starts it again.
    let inDoubtPolicy: RetryPolicy.InDoubtPolicy
    /// How long another member's recent attempt is waited for at assignment before it is judged in doubt: a
    /// member that lost the partition may still publish the answer of a request it had sent.
    let settleTime: Duration
    /// The bound of one journal read.
    let readTimeout: Duration = .seconds(15)

    init(configuration: WorkerConfiguration, logger: Logger) throws {
        self.topic = configuration.topics.journal
        self.member = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(String(UInt32.random(in: .min ... .max), radix: 36))"
        self.reader = try KafkaPartitionReader(client: configuration.kafka, logger: logger)
        self.inDoubtPolicy = configuration.informatica.retry.inDoubt
        self.settleTime = min(configuration.rebalanceDrainTimeout, .seconds(20))
    }

    /// The journal partition holding an input partition's entries.
    func journalPartition(of input: TopicPartition) -> TopicPartition {
        TopicPartition(topic: self.topic, partition: input.partition)
    }

    /// The journal records read first, from a partition's end, when looking for its latest checkpoint (then
    /// eight times as many, and so on).
    static let checkpointWindow: Int64 = 256

    /// An entry about `source` written now by this instance.
    func entry(_ kind: JournalEntry.Kind, _ source: RecordSource, requestId: String?, journalStart: Int64? = nil) -> JournalEntry {
        JournalEntry(kind, source: source, requestId: requestId, member: self.member, at: Date(), journalStart: journalStart)
    }
}
