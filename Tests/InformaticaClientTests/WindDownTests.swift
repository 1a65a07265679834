import Foundation
import KafkaTestSupport
import Logging
import Synchronization
import Testing

@testable import InformaticaClient

@Suite("Winding a call down: the request on the wire keeps its answer; no new request, no further wait")
struct WindDownTests {
    @Test("wound down while the request is on the wire: the 2xx answer still arrives and the job id is returned")
    func answerOnTheWireIsKept() async throws {
        let windDown = CallWindDown()
        let transport = WindingDownTransport(windDown: windDown, answers: [(200, ScriptedTransport.seedResponse)])
        let client = try Self.client(transport, clock: ManualClock())
        let outcome = await client.startCodeTask(codeTaskId: "a", windDown: windDown)
        guard case .started(let started) = outcome else {
            Issue.record("expected the answer, got \(outcome)")
            return
        }
        #expect(started.jobId == "8zcuMdImeshidZ4XVExs20")
        #expect(transport.requestCount == 1)
        await client.shutdown()
    }

    @Test("wound down while the request is on the wire and the answer is a retriable 503: no second request, no backoff")
    func noRetryAfterWindDown() async throws {
        let windDown = CallWindDown()
        let transport = WindingDownTransport(windDown: windDown, answers: [(503, #"{"error":{"code":"busy","message":"busy"}}"#)])
        let clock = ManualClock()
        let client = try Self.client(transport, clock: clock)
        let outcome = await client.startCodeTask(codeTaskId: "a", windDown: windDown)
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.code == InformaticaFailure.cancelledCode)
        #expect(failure.attempts.count == 1)
        #expect(transport.requestCount == 1)
        #expect(clock.sleeps.isEmpty)
        await client.shutdown()
    }

    @Test("wound down during a 30 s backoff: the call ends at once, without another request")
    func backoffEndsAtOnce() async throws {
        let transport = WindingDownTransport(windDown: nil, answers: [(503, #"{"error":{"code":"busy","message":"busy"}}"#)])
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.initialBackoff = .seconds(30)
        configuration.retry.maxBackoff = .seconds(30)
        configuration.retry.deadline = .seconds(120)
        let client = try InformaticaClient(
            configuration: configuration, transport: transport, clock: SystemClock(), jitter: { 1 }, logger: LogCapture().logger())
        let windDown = CallWindDown()
        let began = ContinuousClock.now
        async let outcome = client.startCodeTask(codeTaskId: "a", windDown: windDown)
        try await Task.sleep(for: .milliseconds(300))
        windDown.request()
        let ended = await outcome
        let took = ContinuousClock.now - began
        guard case .failed(let failure) = ended else {
            Issue.record("expected a failure, got \(ended)")
            return
        }
        #expect(failure.code == InformaticaFailure.cancelledCode)
        #expect(transport.requestCount == 1)
        #expect(took < .seconds(5), "the backoff went on for \(took)")
        await client.shutdown()
    }

    private static func client(_ transport: some HTTPTransport, clock: ManualClock) throws -> InformaticaClient {
        try InformaticaClient(
            configuration: TestClients.fixedConfiguration(), transport: transport, clock: clock, jitter: { 1 },
            logger: LogCapture().logger())
    }
}

/// Answers from a list (the last answer repeats) and, if given a signal, requests winding down while each
/// request is "on the wire", before answering.
private final class WindingDownTransport: HTTPTransport {
    private let windDown: CallWindDown?
    private let answers: [(status: Int, body: String)]
    private let count = Mutex(0)

    init(windDown: CallWindDown?, answers: [(status: Int, body: String)]) {
        self.windDown = windDown
        self.answers = answers
    }

    var requestCount: Int { self.count.withLock { $0 } }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        let index = self.count.withLock { count in
            defer { count += 1 }
            return count
        }
        self.windDown?.request()
        let answer = self.answers[min(index, self.answers.count - 1)]
        return TransportResponse(status: answer.status, headers: [], body: Array(answer.body.utf8))
    }

    func shutdown() async throws {}
}
