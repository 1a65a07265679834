import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Start call classification: not_sent, rejected, in_doubt, answer_unreadable")
struct StartClassificationTests {
    private static func client(
        _ steps: [ScriptedTransport.Step],
        inDoubt: RetryPolicy.InDoubtPolicy = .retry,
        maxAttempts: Int = 3,
        breakerFailures: Int = 5
    ) throws -> (InformaticaClient, ScriptedTransport, LogCapture) {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.maxAttempts = maxAttempts
        configuration.retry.inDoubt = inDoubt
        configuration.circuitBreaker.failureThreshold = breakerFailures
        let transport = ScriptedTransport(steps, clock: clock)
        return (try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture), transport, capture)
    }

    private static func failure(_ outcome: StartOutcome) -> InformaticaFailure? {
        if case .failed(let failure) = outcome { return failure }
        Issue.record("expected a failure, got \(outcome)")
        return nil
    }

    static let written = TransportError.timeout("no complete answer", stage: .sent)
    static let refused = TransportError.connection("connection refused", stage: .notSent)

    @Test("a 200 status line whose body then breaks is answer_unreadable, with the status and what was read, and never resent")
    func unreadable() async throws {
        let broken = TransportError.connection("closed", stage: .answered(status: 200, partialBody: Array(#"{"jobId": "8zc"#.utf8)))
        let (client, transport, _) = try Self.client([.fail(broken)])
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 1)
        #expect(failure.category == .answerUnreadable)
        #expect(failure.httpStatus == 200)
        #expect(failure.message.contains("8zc"))
        #expect(failure.inDoubtAttempts == 1)
        #expect(!failure.allowsOutageHold)
        await client.shutdown()
    }

    @Test("a whole 2xx answer that is not a JSON object with a jobId is answer_unreadable and not resent")
    func protocolError() async throws {
        let (client, transport, _) = try Self.client([.respond(status: 200, body: #"{"jobId": 007}"#)])
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 1)
        #expect(failure.category == .answerUnreadable)
        #expect(failure.code == "protocol_error")
        #expect(failure.attempts.last?.delivery == .answerUnreadable)
        await client.shutdown()
    }

    @Test("a 503 whose body broke is a refusal: retried, and the hold is allowed when attempts run out")
    func brokenRefusal() async throws {
        let broken = TransportError.connection("closed", stage: .answered(status: 503, partialBody: []))
        let (client, transport, _) = try Self.client([.fail(broken), .fail(broken), .fail(broken)])
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 3)
        #expect(failure.category == .retriesExhausted)
        #expect(failure.attempts.map(\.delivery) == [.rejected, .rejected, .rejected])
        #expect(failure.allowsOutageHold)
        await client.shutdown()
    }

    @Test("inDoubt fail: a written request without an answer ends the call as in_doubt after one Start")
    func inDoubtFail() async throws {
        let (client, transport, _) = try Self.client([.fail(Self.written)], inDoubt: .fail)
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 1)
        #expect(failure.category == .inDoubt)
        #expect(failure.inDoubtAttempts == 1)
        #expect(!failure.allowsOutageHold)
        await client.shutdown()
    }

    @Test("inDoubt fail: 500, 502 and 504 are in doubt; 503 and 429 are refusals and retried", arguments: [500, 502, 504])
    func inDoubtStatuses(status: Int) async throws {
        let (client, transport, _) = try Self.client([.respond(status: 503, body: ""), .respond(status: 429, body: ""), .respond(status: status, body: "")], inDoubt: .fail)
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 3)
        #expect(failure.category == .inDoubt)
        #expect(failure.httpStatus == status)
        #expect(failure.attempts.map(\.delivery) == [.rejected, .rejected, .inDoubt])
        await client.shutdown()
    }

    @Test("inDoubt retry: in-doubt attempts are retried, counted, and forbid the outage hold")
    func inDoubtRetry() async throws {
        let (client, transport, _) = try Self.client([.fail(Self.written), .fail(Self.refused), .respond(status: 503, body: "")])
        guard let failure = Self.failure(await client.startCodeTask(codeTaskId: "a")) else { return }
        #expect(transport.requests.count == 3)
        #expect(failure.category == .retriesExhausted)
        #expect(failure.attempts.map(\.delivery) == [.inDoubt, .notSent, .rejected])
        #expect(failure.inDoubtAttempts == 1)
        #expect(!failure.allowsOutageHold)
        let (started, _, _) = try Self.client([.fail(Self.written)])
        guard case .started(let result) = await started.startCodeTask(codeTaskId: "b") else {
            Issue.record("expected a start")
            return
        }
        #expect(result.inDoubtAttempts == 1)
        await client.shutdown()
        await started.shutdown()
    }

    @Test("connections refused and 503s allow the outage hold; permanent refusals do not")
    func outageHold() async throws {
        let (refusing, _, _) = try Self.client([.fail(Self.refused), .respond(status: 503, body: ""), .fail(Self.refused)])
        #expect(Self.failure(await refusing.startCodeTask(codeTaskId: "a"))?.allowsOutageHold == true)
        let (missing, _, _) = try Self.client([.respond(status: 404, body: "")])
        let notFound = Self.failure(await missing.startCodeTask(codeTaskId: "a"))
        #expect(notFound?.category == .rejected)
        #expect(notFound?.allowsOutageHold == false)
        await refusing.shutdown()
        await missing.shutdown()
    }

    @Test("in-doubt and unreadable attempts are not breaker failures; requests that were never sent are")
    func breaker() async throws {
        let (doubtful, _, _) = try Self.client([.fail(Self.written), .fail(Self.written), .respond(status: 502, body: "")], breakerFailures: 2)
        _ = await doubtful.startCodeTask(codeTaskId: "a")
        #expect(doubtful.circuitBreakerState == .closed)
        let (refused, _, _) = try Self.client([.fail(Self.refused), .fail(Self.refused)], maxAttempts: 2, breakerFailures: 2)
        _ = await refused.startCodeTask(codeTaskId: "a")
        #expect(refused.circuitBreakerState != .closed)
        await doubtful.shutdown()
        await refused.shutdown()
    }

    @Test("no call sends more Start requests than maxAttempts, whatever the answers")
    func bound() async throws {
        let steps: [ScriptedTransport.Step] = [
            .fail(Self.written), .fail(Self.refused), .respond(status: 503, body: ""), .respond(status: 408, body: ""),
            .respond(status: 500, body: ""), .respond(status: 429, body: ""), .fail(Self.written),
        ]
        let (client, transport, _) = try Self.client(steps, maxAttempts: 4)
        _ = await client.startCodeTask(codeTaskId: "a")
        #expect(transport.requests.count == 4)
        await client.shutdown()
    }
}
