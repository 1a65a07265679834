import Kafka
import KafkaTestSupport
import Testing

@Suite("Consumer groups and offsets", .timeLimit(.minutes(3)))
struct ConsumerGroupTests {
    @Test("two members split the partitions; the survivor takes over from committed offsets",
          arguments: BrokerKind.allCases)
    func takeoverFromCommittedOffsets(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "takeoverFromCommittedOffsets")
            let topic = try await broker.createTopic(partitions: 6)
            let group = uniqueName("g")
            let producer = try broker.makeProducer()
            let events = LockedBox<[KafkaRebalanceEvent]>([])
            let first = try broker.makeConsumer(group: group) { event in events.withLock { $0.append(event) } }
            let second = try broker.makeConsumer(group: group)
            try first.subscribe(topics: [topic])
            try second.subscribe(topics: [topic])
            try await waitUntilBothAssigned(first, second)
            try await produce(producer, topic: topic, count: 300, keys: 60, valuePrefix: "a")
            // Both members poll until the first 300 records are in, storing offsets as they go.
            async let fromFirst = collectWhileOtherPolls(first, second, total: 300)
            let (firstRecords, secondRecords) = try await fromFirst
            #expect(firstRecords.count + secondRecords.count == 300)
            #expect(!first.assignment.isEmpty && !second.assignment.isEmpty, "the group split the partitions")
            #expect(first.assignment.isDisjoint(with: second.assignment))
            try await commitRetrying(first)
            try await commitRetrying(second)
            try await first.close()   // leaves the group: its partitions move to `second`
            #expect(events.value.contains { if case .revoked = $0 { true } else { false } })

            try await produce(producer, topic: topic, count: 300, keys: 60, valuePrefix: "b")
            await producer.close(timeout: .seconds(5))
            let rest = try await collect(second, count: 300, within: .seconds(90))
            let extra = try await drain(second, for: .seconds(2))
            try await second.close()

            let all = (firstRecords + secondRecords + rest + extra).map(\.valueString)
            #expect(all.count == 600, "nothing delivered twice after a commit")
            #expect(Set(all).count == 600, "nothing lost")
            #expect(rest.allSatisfy { $0.valueString.hasPrefix("b") })
        }
    }

    @Test("a new member resumes from the committed offsets", arguments: BrokerKind.allCases)
    func restartFromCommittedOffsets(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "restartFromCommittedOffsets")
            let topic = try await broker.createTopic(partitions: 3)
            let group = uniqueName("g")
            let producer = try broker.makeProducer()
            try await produce(producer, topic: topic, count: 200, valuePrefix: "")
            await producer.close(timeout: .seconds(5))

            let first = try broker.makeConsumer(group: group, listener: nil) { $0.commitStoredOffsetsOnRevoke = false }
            try first.subscribe(topics: [topic])
            let all = try await collect(first, count: 200)
            // Commit only the first half of each partition explicitly.
            var positions: [TopicPartitionOffset] = []
            for partition in Set(all.map(\.topicPartition)) {
                let records = all.filter { $0.topicPartition == partition }
                positions.append(TopicPartitionOffset(partition, offset: records[records.count / 2].offset))
            }
            try await first.commit(positions)
            let committed = try await first.committedOffsets(for: positions.map(\.topicPartition), timeout: .seconds(10))
            #expect(Set(committed) == Set(positions))
            try await first.close()

            let second = try broker.makeConsumer(group: group)
            try second.subscribe(topics: [topic])
            let expected = all.filter { record in
                record.offset >= positions.first { $0.topicPartition == record.topicPartition }!.offset!
            }
            let resumed = try await collect(second, count: expected.count)
            let extra = try await drain(second, for: .seconds(2))
            try await second.close()
            #expect(Set((resumed + extra).map(\.valueString)) == Set(expected.map(\.valueString)))
            #expect((resumed + extra).count == expected.count)
        }
    }

    @Test("stored offsets are committed when partitions are revoked", arguments: BrokerKind.allCases)
    func commitStoredOffsetsOnRevocation(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "commitStoredOffsetsOnRevocation")
            let topic = try await broker.createTopic(partitions: 2)
            let group = uniqueName("g")
            let producer = try broker.makeProducer()
            try await produce(producer, topic: topic, count: 100)
            await producer.close(timeout: .seconds(5))

            let consumer = try broker.makeConsumer(group: group)
            try consumer.subscribe(topics: [topic])
            let records = try await collect(consumer, count: 100, storeOffsets: true)
            #expect(records.count == 100)
            try await consumer.close()  // no explicit commit: the revocation commits what was stored

            let checker = try broker.makeConsumer(group: group)
            let partitions = (0..<2).map { TopicPartition(topic: topic, partition: Int32($0)) }
            let committed = try await checker.committedOffsets(for: partitions, timeout: .seconds(10))
            for position in committed {
                let last = records.filter { $0.topicPartition == position.topicPartition }.map(\.offset).max()
                #expect(position.offset == last.map { $0 + 1 }, "\(position)")
            }
            try checker.subscribe(topics: [topic])
            #expect(try await drain(checker, for: .seconds(3)).isEmpty, "nothing is read twice")
            try await checker.close()
        }
    }

    /// Polls both members until the group has settled with partitions on each.
    private func waitUntilBothAssigned(_ a: KafkaConsumer, _ b: KafkaConsumer) async throws {
        let end = ContinuousClock.now.advanced(by: .seconds(60))
        while (a.assignment.isEmpty || b.assignment.isEmpty || a.assignment.count + b.assignment.count < 6)
                && ContinuousClock.now < end {
            async let pollA = a.poll(timeout: .milliseconds(100))
            async let pollB = b.poll(timeout: .milliseconds(100))
            let (recordsA, recordsB) = try await (pollA, pollB)
            #expect(recordsA.isEmpty && recordsB.isEmpty, "nothing produced yet")
        }
    }

    /// Commits, retrying while the group is rebalancing (a retriable condition).
    private func commitRetrying(_ consumer: KafkaConsumer) async throws {
        for attempt in 1...20 {
            do {
                return try await consumer.commit()
            } catch {
                guard error.isRetriable, attempt < 20 else { throw error }
                #expect(try await consumer.poll(timeout: .milliseconds(200)).isEmpty, "no records are pending here")
            }
        }
    }

    /// Polls two members concurrently until together they have `total` records.
    private func collectWhileOtherPolls(_ a: KafkaConsumer, _ b: KafkaConsumer, total: Int) async throws
        -> ([KafkaMessage], [KafkaMessage]) {
        var fromA: [KafkaMessage] = []
        var fromB: [KafkaMessage] = []
        let end = ContinuousClock.now.advanced(by: .seconds(90))
        while fromA.count + fromB.count < total && ContinuousClock.now < end {
            async let batchA = a.poll(timeout: .milliseconds(100))
            async let batchB = b.poll(timeout: .milliseconds(100))
            let (newA, newB) = try await (batchA, batchB)
            for message in newA { try a.storeOffset(after: message) }
            for message in newB { try b.storeOffset(after: message) }
            fromA += newA
            fromB += newB
        }
        return (fromA, fromB)
    }
}
