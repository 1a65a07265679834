import CodetaskWorker
import InformaticaClient
import Kafka
import Testing

/// The one judgement `run` and `check` make of the topics, without a broker.
@Suite("Topic plan: what run requires of the topics, as check reports it")
struct TopicPlanTests {
    private static func configuration(journal: Bool = true, create: Bool = false) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            kafka: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
            informatica: InformaticaConfiguration(session: .fixedSession(sessionId: Secret("s"), serverURL: "https://example.com")))
        configuration.topics = WorkerTopics(input: "in", output: "out", deadLetter: "dlq", journal: "journal")
        configuration.attemptJournal = journal
        configuration.createMissingTopics = create
        configuration.createdTopicPartitions = 4
        return configuration
    }

    private static func verdicts(_ plan: TopicPlan) -> [String: TopicPlan.Verdict] {
        Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.role.rawValue, $0.verdict) })
    }

    @Test func everyTopicThereAndTheJournalLargeEnough() {
        let plan = TopicPlan(Self.configuration(), partitions: ["in": 6, "out": 3, "dlq": 1, "journal": 6])
        #expect(plan.refusal == nil)
        #expect(Self.verdicts(plan) == ["input": .exists(partitions: 6), "output": .exists(partitions: 3),
                                        "dead-letter": .exists(partitions: 1), "journal": .exists(partitions: 6)])
    }

    @Test func aMissingTopicIsRefusedUnlessTopicsAreCreated() {
        let refused = TopicPlan(Self.configuration(), partitions: ["in": 6, "out": 3, "journal": 6])
        #expect(refused.refusal == .missingTopics(["dlq"]))
        #expect(Self.verdicts(refused)["dead-letter"] == .missing)
        let created = TopicPlan(Self.configuration(create: true), partitions: ["in": 6, "out": 3, "journal": 6])
        #expect(created.refusal == nil)
        #expect(Self.verdicts(created)["dead-letter"] == .create(partitions: 4))
    }

    @Test func aJournalWithFewerPartitionsThanTheInputIsRefused() {
        let plan = TopicPlan(Self.configuration(), partitions: ["in": 6, "out": 3, "dlq": 1, "journal": 2])
        #expect(plan.refusal == .journalTooSmall(journal: "journal", partitions: 2, inputPartitions: 6))
        #expect(Self.verdicts(plan)["journal"] == .tooFewPartitions(partitions: 2, needed: 6))
        // Without the journal, the same topics are fine.
        let off = TopicPlan(Self.configuration(journal: false), partitions: ["in": 6, "out": 3, "dlq": 1, "journal": 2])
        #expect(off.refusal == nil && Self.verdicts(off)["journal"] == nil)
    }

    @Test func aMissingJournalIsCreatedWithOnePartitionPerInputPartition() {
        let plan = TopicPlan(Self.configuration(), partitions: ["in": 6, "out": 3, "dlq": 1])
        #expect(plan.refusal == nil)
        #expect(Self.verdicts(plan)["journal"] == .create(partitions: 6))
        // An input created at start-up sizes the journal too; a missing input leaves it undetermined (and refused).
        let created = TopicPlan(Self.configuration(create: true), partitions: [:])
        #expect(Self.verdicts(created)["journal"] == .create(partitions: 4) && created.refusal == nil)
        let missing = TopicPlan(Self.configuration(), partitions: ["out": 3, "dlq": 1])
        #expect(Self.verdicts(missing)["journal"] == .inputMissing && missing.refusal == .missingTopics(["in"]))
    }
}
