import Foundation
import InformaticaClient
import Kafka
import Synchronization
import Testing

@testable import CodetaskWorker

@Suite("Offsets, scheduling, events and configuration")
struct PipelinePartsTests {
    @Test("the commit position stops at the lowest unfinished offset and jumps once the gap closes")
    func partitionProgress() {
        var progress = PartitionProgress(epoch: 1)
        for offset in [10, 11, 12, 14] as [Int64] { progress.track(offset) }
        progress.finish(11)
        progress.finish(14)
        #expect(progress.takeNewPosition() == nil)
        progress.finish(10)
        #expect(progress.takeNewPosition() == 12)
        #expect(progress.takeNewPosition() == nil)
        progress.finish(12)
        #expect(progress.takeNewPosition() == 15)
        #expect(progress.pendingCount == 0)
    }

    @Test("the ledger refuses work on revoked partitions and after shutdown, and releases their positions")
    func ledger() async {
        let ledger = OffsetLedger()
        let partition = TopicPartition(topic: "in", partition: 0)
        ledger.assign([partition])
        let first = ledger.track(RecordSource(topic: "in", partition: 0, offset: 5))!
        let second = ledger.track(RecordSource(topic: "in", partition: 0, offset: 6))!
        #expect(ledger.begin(first))
        ledger.beginRevocation([partition])
        #expect(!ledger.begin(second))
        #expect(await ledger.waitUntilIdle([partition], timeout: .milliseconds(50)) == false)
        ledger.finish(first)
        #expect(await ledger.waitUntilIdle([partition], timeout: .seconds(1)))
        #expect(ledger.release([partition]) == [TopicPartitionOffset(partition, offset: 6)])
        #expect(ledger.track(RecordSource(topic: "in", partition: 0, offset: 7)) == nil)
        ledger.assign([partition])
        ledger.stopTakingWork()
        #expect(ledger.track(RecordSource(topic: "in", partition: 0, offset: 7)) == nil)
    }

    @Test("while stopping, records below the frontier still run, so no begun record is left uncommitted")
    func frontier() async {
        let ledger = OffsetLedger()
        let partition = TopicPartition(topic: "in", partition: 0)
        ledger.assign([partition])
        let tickets = (10..<14).map { ledger.track(RecordSource(topic: "in", partition: 0, offset: Int64($0)))! }
        #expect(ledger.begin(tickets[2]))  // offset 12 runs first (another key)
        ledger.finish(tickets[2])
        ledger.stopTakingWork()
        #expect(!ledger.isQuiescent)
        #expect(ledger.begin(tickets[0]))  // 10 and 11 lie below the frontier: they must still run
        #expect(ledger.begin(tickets[1]))
        #expect(!ledger.begin(tickets[3]))  // 13 lies beyond it: left for the next owner
        ledger.finish(tickets[0])
        ledger.finish(tickets[1])
        #expect(ledger.isQuiescent)
        #expect(ledger.allCommittablePositions() == [TopicPartitionOffset(partition, offset: 13)])
    }

    @Test("jobs of one key run in order, one at a time; different keys run concurrently up to the limit")
    func keyedScheduler() async {
        let scheduler = KeyedScheduler(limit: 4)
        let log = Mutex<[String]>([])
        let running = Mutex((now: 0, peak: 0))
        for index in 0..<40 {
            let key = "k\(index % 8)"
            await scheduler.submit(key: key) {
                running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                try? await Task.sleep(for: .milliseconds(5))
                log.withLock { $0.append("\(key):\(index)") }
                running.withLock { $0.now -= 1 }
            }
        }
        #expect(await WorkerHarness.eventually(timeout: .seconds(10)) { log.withLock { $0.count } == 40 })
        let entries = log.withLock { $0 }
        for key in (0..<8).map({ "k\($0)" }) {
            let indices = entries.filter { $0.hasPrefix(key + ":") }.map { Int($0.split(separator: ":")[1])! }
            #expect(indices == indices.sorted(), "key \(key) ran out of order: \(indices)")
        }
        #expect(running.withLock { $0.peak } <= 4)
        #expect(running.withLock { $0.peak } > 1)
    }

    @Test("events are CloudEvents in binary mode with a deterministic id, keyed by the code task id")
    func events() throws {
        let factory = EventFactory(topics: WorkerTopics(), eventSource: "/test", now: { Date(timeIntervalSince1970: 0) })
        let request = StartRequest(
            requestId: "r-1", codeTaskId: "ct-1", orderingKey: "k", contextJSON: #"{"z":1,"a":2}"#, traceparent: "00-t-s-01",
            source: RecordSource(topic: "in", partition: 1, offset: 9))
        let failure = InformaticaFailure(
            category: .rejected, httpStatus: 404, code: "CODE_TASK_NOT_FOUND", message: "no such task", requestId: "inf-7", attempts: [])
        let event = factory.failed(request, StartFailure(failure))
        let headers = Dictionary(event.headers.map { ($0.name, $0.stringValue ?? "") }) { first, _ in first }
        #expect(headers["ce_specversion"] == "1.0")
        #expect(headers["ce_id"] == "r-1/codetask.start.failed")
        #expect(headers["ce_type"] == "codetask.start.failed")
        #expect(headers["ce_source"] == "/test")
        #expect(headers["ce_subject"] == "ct-1")
        #expect(headers["ce_time"] == "1970-01-01T00:00:00.000Z")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["traceparent"] == "00-t-s-01")
        #expect(event.key == Array("ct-1".utf8))
        let body = String(decoding: event.value, as: UTF8.self)
        #expect(body.contains(#""context":{"z":1,"a":2}"#))
        let parsed = try JSONParser.parse(event.value)
        #expect(parsed["error"]?["category"]?.stringValue == "rejected")
        #expect(parsed["error"]?["httpStatus"] == .integer(404))
        #expect(parsed["error"]?["informaticaRequestId"]?.stringValue == "inf-7")
        #expect(parsed["source"]?["offset"] == .integer(9))
    }

    @Test("the producer's limit is exposed: librdkafka's default, or message.max.bytes from the properties")
    func maxPublishBytes() {
        var configuration = WorkerConfiguration(
            kafka: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
            informatica: InformaticaConfiguration(session: .fixedSession(sessionId: Secret("s"), serverURL: "https://example.com")))
        #expect(configuration.maxPublishBytes == 1_000_000)
        configuration.kafka.properties["message.max.bytes"] = "2000000"
        #expect(configuration.maxPublishBytes == 2_000_000)
    }

    @Test("a bad setting is named", arguments: [
        "groupID", "topics.output", "topics", "maxInFlight", "commitInterval", "kafka.bootstrapServers",
        "kafka.properties.enable.auto.commit", "kafka.properties.acks", "maxOutageRetries", "maxPublishBackoff", "limits",
    ])
    func configuration(setting: String) {
        var configuration = WorkerConfiguration(
            kafka: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
            informatica: InformaticaConfiguration(session: .fixedSession(sessionId: Secret("s"), serverURL: "https://example.com")))
        #expect(throws: Never.self) { try configuration.validate() }
        switch setting {
        case "groupID": configuration.groupID = ""
        case "topics.output": configuration.topics.output = "bad topic"
        case "topics": configuration.topics.deadLetter = configuration.topics.input
        case "maxInFlight": configuration.maxInFlight = 0
        case "commitInterval": configuration.commitInterval = .zero
        case "kafka.properties.enable.auto.commit": configuration.kafka.properties["enable.auto.commit"] = "true"
        case "kafka.properties.acks": configuration.kafka.properties["acks"] = "1"
        case "maxOutageRetries": configuration.maxOutageRetries = 1_001
        case "maxPublishBackoff": configuration.maxPublishBackoff = .seconds(1e12)
        case "limits": configuration.limits.maxRequestIdLength = 0
        default: configuration.kafka.bootstrapServers = []
        }
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? ConfigurationError)?.setting == setting
        }
    }
}
