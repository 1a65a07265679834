import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("The seed's Start contract")
struct SeedContractTests {
    @Test("sends the seed's request: method, URL, headers and a string codeTaskId")
    func request() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport([], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "0100000Z000000000002")
        #expect(outcome.jobId == "8zcuMdImeshidZ4XVExs20")
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://usw3.dm-us.informaticacloud.com/disnext/api/v1/CodeTask/Start")
        #expect(request.headers.map(\.0) == ["Content-Type", "Accept", "IDS-SESSION-ID"])
        #expect(request.headers.map(\.1) == ["application/json", "application/json", TestClients.sessionId])
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == #"{"codeTaskId": "0100000Z000000000002"}"#)
        await client.shutdown()
        #expect(transport.isShutDown)
        #expect(!capture.containsAny(of: [TestClients.sessionId]))
    }

    @Test("a numeric-looking id is still a JSON string; quotes and slashes are escaped, traceparent is sent")
    func bodyEncodingAndTraceparent() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport([], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _ = await client.startCodeTask(codeTaskId: "12345", traceparent: trace)
        _ = await client.startCodeTask(codeTaskId: #"a"b/c"#)
        let requests = transport.requests
        #expect(String(decoding: requests[0].body ?? [], as: UTF8.self) == #"{"codeTaskId": "12345"}"#)
        #expect(requests[0].headers.last?.0 == "traceparent")
        #expect(requests[0].headers.last?.1 == trace)
        #expect(String(decoding: requests[1].body ?? [], as: UTF8.self) == #"{"codeTaskId": "a\"b/c"}"#)
        #expect(!requests[1].headers.contains { $0.0 == "traceparent" })
        await client.shutdown()
    }

    @Test("decodes the seed's response into typed fields and keeps the raw body byte for byte")
    func response() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let client = try TestClients.scripted(transport: ScriptedTransport([], clock: clock), clock: clock, capture: capture)
        guard case .started(let started) = await client.startCodeTask(codeTaskId: "0100000Z000000000002") else {
            Issue.record("expected a started outcome")
            return
        }
        #expect(started.summary == "Code Task started successfully")
        #expect(started.jobId == "8zcuMdImeshidZ4XVExs20")
        #expect(started.codeTaskInstanceName == "Demo-2")
        #expect(started.spark?.agentGroupId == "01000025000000000003")
        #expect(started.spark?.clusterConfigId == "Default")
        #expect(started.spark?.logLevel == "normal")
        #expect(started.spark?.startRunTime == "2022-04-04T20:23:57.154+00:00")
        #expect(started.spark?.submitTime == "2022-04-04T20:23:57.095+00:00")
        let submit = try #require(started.spark?.submitDate)
        let run = try #require(started.spark?.startRunDate)
        #expect(abs(run.timeIntervalSince(submit) - 0.059) < 0.0005)
        #expect(started.rawJSON == ScriptedTransport.seedResponse)
        #expect(started.httpStatus == 200)
        #expect(started.attempts.count == 1)
        await client.shutdown()
    }

    @Test("unknown fields are kept; a 2xx without jobId is a protocol error and is not retried")
    func unknownFieldsAndProtocolError() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let extra = #"{"jobId":"J1","newField":{"n":1},"sparkCodeTaskResponseBody":{"agentGroupId":"A","extra":true}}"#
        let transport = ScriptedTransport(
            [.respond(status: 201, body: extra), .respond(status: 200, body: #"{"summary":"ok"}"#)],
            clock: clock
        )
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        guard case .started(let started) = await client.startCodeTask(codeTaskId: "t1") else {
            Issue.record("expected a started outcome")
            return
        }
        #expect(started.fields["newField"] == .object(["n": .integer(1)]))
        #expect(started.fields["sparkCodeTaskResponseBody"]?["extra"] == .bool(true))
        #expect(started.rawJSON == extra)
        #expect(started.httpStatus == 201)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t2") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .answerUnreadable)
        #expect(failure.code == "protocol_error")
        #expect(failure.attempts.count == 1)
        #expect(transport.requests.count == 2)
        await client.shutdown()
    }

    @Test("each top-level field's JSON text is kept byte for byte: long numeric ids, escapes, member order")
    func rawFields() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let body = #"{"summary":"ok \u00e9\/","jobId":12345678901234567890123,"codeTaskInstanceName":"D\u002d2","#
            + #""sparkCodeTaskResponseBody":{"z":1.50,"a":1e400},"more":[1, 2]}"#
        let transport = ScriptedTransport([.respond(status: 200, body: body)], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        guard case .started(let started) = await client.startCodeTask(codeTaskId: "t1") else {
            Issue.record("expected a started outcome")
            return
        }
        #expect(started.jobId == "12345678901234567890123")
        #expect(started.rawJSON(of: "jobId") == "12345678901234567890123")
        #expect(started.rawJSON(of: "summary") == #""ok \u00e9\/""#)
        #expect(started.rawJSON(of: "codeTaskInstanceName") == #""D\u002d2""#)
        #expect(started.rawJSON(of: "sparkCodeTaskResponseBody") == #"{"z":1.50,"a":1e400}"#)
        #expect(started.members.map(\.name) == ["summary", "jobId", "codeTaskInstanceName", "sparkCodeTaskResponseBody", "more"])
        #expect(started.rawJSON(of: "missing") == nil)
        await client.shutdown()
    }

    @Test("a 2xx whose jobId is not valid UTF-8 or has a lone surrogate is unreadable, never altered", arguments: [
        Array(#"{"jobId":"ab"#.utf8) + [0xFF] + Array(#""}"#.utf8), Array(#"{"jobId":"a\uD800"}"#.utf8),
    ])
    func unreadableJobId(body: [UInt8]) async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport([.respondBytes(status: 200, body: body)], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "t1")
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.category == .answerUnreadable)
        #expect(transport.requests.count == 1)
        await client.shutdown()
    }

    @Test("code task ids: blank and control characters are refused, ASCII and other scripts alike")
    func codeTaskIdChecks() {
        let empty = "codeTaskId must not be empty"
        let control = "codeTaskId must not contain control characters"
        let cases: [(String, String?)] = [
            ("", empty), ("   ", empty), ("\t\r\n", empty), ("\u{A0}\u{2003}", empty),
            ("a\nb", control), ("a\u{7F}b", control), ("\u{1F}", control), ("é\u{1}", control), ("\u{85}x", control),
            ("0100000Z000000000002", nil), ("bench-7 x", nil), ("tâche-ü", nil),
        ]
        for (id, expected) in cases {
            #expect(InformaticaClient.problem(withCodeTaskId: id) == expected, "\(id.unicodeScalars.map(\.value))")
        }
    }

    @Test("invalid input is refused without a call", arguments: ["", "   ", "a\nb"])
    func invalidRequest(id: String) async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport([], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: id) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .invalidRequest)
        #expect(transport.requests.isEmpty)
        let traced = await client.startCodeTask(codeTaskId: "ok", traceparent: "bad\r\nX-Injected: 1")
        #expect(traced.attempts.isEmpty)
        #expect(transport.requests.isEmpty)
        await client.shutdown()
    }
}
