import CodetaskDemo
import CodetaskWorker
import Foundation
import InMemoryTracing
import Kafka
import KafkaTestSupport
import InformaticaSimulator
import Testing
import Tracing

extension WorkerIntegration {
@Suite("Traces", .serialized)
struct TracingTests {
    @Test("mock only: one record's spans form one trace parented by the record's context: process, a client span per Start request, publish; the event carries the publish span's context")
    func oneTracePerRecord() async throws {
        announce("oneTracePerRecord", .mock)
        let tracer = InMemoryTracer()
        try await WorkerHarness.with(.mock, simulator: { $0.taskRules = [TaskRule(id: "ct-flaky", status: 503, times: 1)] }) { harness in
            var sample = SampleRequests.valid(index: 1, codeTaskId: "ct-flaky")
            sample.headers += [
                KafkaHeader(name: InMemoryTracer.traceIDKey, value: "trace-from-upstream"),
                KafkaHeader(name: InMemoryTracer.spanIDKey, value: "span-upstream"),
            ]
            let produced = try await harness.produce([sample, SampleRequests.valid(index: 2, codeTaskId: "ct-other")])
            let running = try harness.startWorker(tracer: tracer)
            let audit = try await harness.audit(Array(produced.keys))
            try await running.stop()
            let traced = produced.first { $0.value.key == sample.key && $0.value.value == sample.value }!.key
            let spans = tracer.finishedSpans.filter { $0.traceID == "trace-from-upstream" }
            let process = spans.filter { $0.operationName == "codetask.process" }
            try #require(process.count == 1, "spans of the trace: \(spans.map(\.operationName))")
            #expect(process[0].spanContext.parentSpanID == "span-upstream")
            #expect(process[0].kind == .consumer)
            let requests = spans.filter { $0.operationName == "informatica.start" }
            #expect(requests.count == 2, "a 503, then the accepted request")
            #expect(requests.allSatisfy { $0.spanContext.parentSpanID == process[0].spanID && $0.kind == .client })
            let publish = spans.filter { $0.operationName == "codetask.publish" }
            try #require(publish.count == 1)
            #expect(publish[0].spanContext.parentSpanID == process[0].spanID)
            let headers = audit.entries[traced]?.lastEventHeaders ?? []
            #expect(headers.last(named: InMemoryTracer.traceIDKey) == "trace-from-upstream")
            #expect(headers.last(named: InMemoryTracer.spanIDKey) == publish[0].spanID)
            // The other record had no context: its spans start a trace of their own.
            let other = tracer.finishedSpans.filter { $0.operationName == "codetask.process" && $0.traceID != "trace-from-upstream" }
            #expect(other.count == 1 && other[0].spanContext.parentSpanID == nil)
            // No secret in any span attribute.
            let secrets = [harness.simulator.configuration.password] + harness.simulator.issuedSessionIds
            let attributes = tracer.finishedSpans.map { "\($0.attributes)" }.joined()
            #expect(!secrets.contains { attributes.contains($0) })
        }
    }
}
}
