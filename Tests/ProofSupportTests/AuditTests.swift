import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import ProofSupport
import Testing

@Suite("Auditor and duplicate attribution, on made-up runs")
struct AuditTests {
    let topics = WorkerTopics(input: "in", output: "out", deadLetter: "dlq")

    func input(_ partition: Int32, _ offset: Int64, _ value: String, at time: Int64 = 1_000) -> KafkaMessage {
        KafkaMessage(topicPartition: TopicPartition(topic: "in", partition: partition), offset: offset, key: nil, value: Array(value.utf8),
                     headers: [], timestampMilliseconds: time)
    }

    func event(
        for partition: Int32, _ offset: Int64, id: String, at time: Int64, type: EventType = .started, possibleDuplicate: Bool = false
    ) -> KafkaMessage {
        let body = #"{"requestId":"\#(id)","codeTaskId":"\#(id)","jobId":"j","possibleDuplicate":\#(possibleDuplicate),"#
            + #""source":{"topic":"in","partition":\#(partition),"offset":\#(offset)}}"#
        return KafkaMessage(topicPartition: TopicPartition(topic: "out", partition: 0), offset: 0, key: nil, value: Array(body.utf8),
                            headers: [KafkaHeader(name: "ce_type", value: type.rawValue), KafkaHeader(name: "ce_id", value: "\(id)/\(type.rawValue)")],
                            timestampMilliseconds: time)
    }

    func deadLetter(for partition: Int32, _ offset: Int64, reason: String) -> KafkaMessage {
        KafkaMessage(topicPartition: TopicPartition(topic: "dlq", partition: 0), offset: 0, key: nil, value: [], headers: [
            KafkaHeader(name: DeadLetterHeader.reason, value: reason), KafkaHeader(name: DeadLetterHeader.sourceTopic, value: "in"),
            KafkaHeader(name: DeadLetterHeader.sourcePartition, value: "\(partition)"),
            KafkaHeader(name: DeadLetterHeader.sourceOffset, value: "\(offset)"),
        ], timestampMilliseconds: 0)
    }

    @Test("counts valid, lost, duplicate events, dead letters, undelivered malformed records, lag and latency")
    func report() {
        var snapshot = TopicSnapshot()
        snapshot.input = [
            self.input(0, 0, #"{"codeTaskId":"a"}"#), self.input(0, 1, #"{"codeTaskId":"b"}"#),
            self.input(1, 0, #"{"codeTaskId":"c"}"#), self.input(1, 1, "not json"), self.input(1, 2, "[1]"),
        ]
        snapshot.output = [
            self.event(for: 0, 0, id: "a", at: 1_250), self.event(for: 0, 0, id: "a", at: 1_900), self.event(for: 1, 0, id: "c", at: 3_000),
            self.event(for: 1, 0, id: "c", at: 3_100, type: .failed),
        ]
        snapshot.deadLetter = [self.deadLetter(for: 1, 1, reason: "not_json")]
        let calls = StartCallLog(calls: ["a", "a", "c"].enumerated().map {
            StartCall(sequence: $0.offset + 1, codeTaskId: $0.element, status: 200, jobId: "j\($0.offset)", receivedAt: Date())
        })
        let report = AuditReport(snapshot: snapshot, startCalls: calls, committed: [0: 2, 1: 1], topics: self.topics)
        #expect(report.inputRecords == 5)
        #expect(report.validRequests == 3)
        #expect(report.malformedRecords == 2)
        #expect(report.terminalEvents == 4)
        #expect(report.lost == [RecordSource(topic: "in", partition: 0, offset: 1)])
        #expect(!report.isLossFree)
        #expect(report.duplicateEvents == 1)
        #expect(report.duplicateEventIds == ["a/codetask.job.started"])
        #expect(report.startedAndFailed == [RecordSource(topic: "in", partition: 1, offset: 0)])
        #expect(report.startedMoreThanOnce == ["a": 2])
        #expect(report.extraStarts == 1)
        #expect(report.deadLetteredByReason == ["not_json": 1])
        #expect(report.malformedNotDeadLettered == [RecordSource(topic: "in", partition: 1, offset: 2)])
        #expect(report.lagByPartition == [0: 0, 1: 2])
        #expect(report.largestEndToEndMilliseconds == 2_000)
        #expect(report.lines.last == "audit: verdict: LOSS: 1 valid requests have no terminal event")
    }

    @Test("a code task started twice counts as told only when a started event of it says possibleDuplicate (a failed one does not)")
    func possibleDuplicateFlags() {
        var snapshot = TopicSnapshot()
        snapshot.input = [self.input(0, 0, #"{"codeTaskId":"a"}"#), self.input(0, 1, #"{"codeTaskId":"b"}"#), self.input(0, 2, #"{"codeTaskId":"c"}"#)]
        snapshot.output = [
            self.event(for: 0, 0, id: "a", at: 1_100), self.event(for: 0, 0, id: "a", at: 1_200, possibleDuplicate: true),
            self.event(for: 0, 1, id: "b", at: 1_300), self.event(for: 0, 1, id: "b", at: 1_400, type: .failed, possibleDuplicate: true),
            self.event(for: 0, 2, id: "c", at: 1_500, possibleDuplicate: true),
        ]
        let calls = StartCallLog(calls: ["a", "a", "b", "b", "c"].enumerated().map {
            StartCall(sequence: $0.offset + 1, codeTaskId: $0.element, status: 200, jobId: "j\($0.offset)", receivedAt: Date())
        })
        let report = AuditReport(snapshot: snapshot, startCalls: calls, committed: [0: 3], topics: self.topics)
        #expect(report.startedMoreThanOnce == ["a": 2, "b": 2])
        #expect(report.startedMoreThanOnceUnflagged == ["b"])
        #expect(report.lines.contains { $0.hasSuffix("flagged possibleDuplicate: 1 (e.g. b)") })
        #expect(AuditReport(snapshot: snapshot, startCalls: nil, committed: [0: 3], topics: self.topics).startedMoreThanOnceUnflagged == nil)
    }

    @Test("a start again after a kill is the kill's; committed ones break its bound; after a slow answer or unexplained otherwise")
    func attribution() {
        let t0 = Date(timeIntervalSince1970: 1_000)
        func call(_ id: String, _ seconds: Double) -> StartCall {
            StartCall(sequence: 0, codeTaskId: id, status: 200, jobId: "j", receivedAt: t0.addingTimeInterval(seconds))
        }
        // a (offset 5, uncommitted at the kill at 10 s) and b (offset 1, committed) started again after it; c after a
        // slow answer at 30 s; d twice with nothing between; e once.
        let calls = StartCallLog(calls: [
            call("a", 9), call("a", 12), call("b", 8), call("b", 11), call("c", 30), call("c", 33), call("d", 50), call("d", 51), call("e", 1),
        ])
        let sources = ["a": 5, "b": 1, "c": 7, "d": 8, "e": 9].mapValues { RecordSource(topic: "in", partition: 0, offset: Int64($0)) }
        let result = DuplicateAttribution(
            calls: calls, kills: [.init(time: t0.addingTimeInterval(10), committed: [0: 3])],
            slowWindows: [t0.addingTimeInterval(29)...t0.addingTimeInterval(31)], sources: sources,
            faults: [(t0.addingTimeInterval(10), "kill9@10s"), (t0.addingTimeInterval(49), "term@49s")])
        // Started before the kill at or above the committed offset 3: a (5) and e (9); b (1) was committed.
        #expect(result.kills.first?.uncommittedStarted == 2)
        #expect(result.kills.first?.startedAgain == 2)
        #expect(result.kills.first?.startedAgainThoughCommitted == 1)
        // a began 1 s before the kill (on the wire), b 2 s: both within the default 3 s window; with 1.5 s, b was answered.
        #expect(result.kills.first?.startedAgainThoughAnswered == 0)
        let narrow = DuplicateAttribution(
            calls: calls, kills: [.init(time: t0.addingTimeInterval(10), committed: [0: 3])], slowWindows: [], sources: sources,
            wireWindow: 1.5)
        #expect(narrow.kills.first?.startedAgainThoughAnswered == 1)
        #expect(result.kills.first?.withinBound == false)
        #expect(result.afterSlowAnswers == 1)
        #expect(result.unexplained == 1)
        #expect(result.unexplainedExamples == ["d"])
        #expect(result.unexplainedAfter == ["term@49s": 1])
    }
}
