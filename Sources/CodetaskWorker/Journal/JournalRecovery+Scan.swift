import Kafka

extension JournalRecovery {
    /// What a scan of a partition's journal tells the worker core: its open attempts (marked when `member`, this
    /// worker, wrote them), the events stored in its `answered` closes (addressed to `outputTopic`), and where its
    /// attempts are.
    init(_ scan: JournalScan, member: String, outputTopic: String) {
        self.init(attempts: scan.attempts, end: scan.end)
        for (offset, attempt) in scan.open {
            self.open[offset] = Open(attempt: JournalLedger.InDoubt(member: attempt.member, at: attempt.at), mine: attempt.member == member)
        }
        for (offset, close) in scan.answered {
            self.decided[offset] = JournalEntry.storedEvent(in: close, outputTopic: outputTopic)
        }
    }
}
