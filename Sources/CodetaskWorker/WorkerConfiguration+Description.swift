extension WorkerConfiguration: CustomStringConvertible {
    /// Every setting on one line, as logged at start-up and printed by `run --print-configuration`;
    /// passwords, session ids and secret librdkafka properties show as `<redacted>`.
    public var description: String {
        let settings: [(String, Any)] = [
            ("kafka", self.kafka), ("groupID", self.groupID), ("topics", self.topics.all),
            ("attemptJournal", self.attemptJournal ? self.topics.journal : "off"), ("informatica", self.informatica),
            ("eventSource", self.eventSource), ("limits", self.limits), ("maxInFlight", self.maxInFlight),
            ("maxPendingRecords", self.maxPendingRecords), ("commitInterval", self.commitInterval),
            ("shutdownGracePeriod", self.shutdownGracePeriod), ("rebalanceDrainTimeout", self.rebalanceDrainTimeout),
            ("createMissingTopics", self.createMissingTopics), ("createdTopicPartitions", self.createdTopicPartitions),
            ("maxOutageRetries", self.maxOutageRetries), ("maxPublishBackoff", self.maxPublishBackoff),
            ("assignmentReadLimit", self.assignmentReadLimit),
        ]
        return "WorkerConfiguration(" + settings.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + ")"
    }
}
