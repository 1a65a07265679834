import Foundation
import Testing

@testable import InformaticaSimulator

@Suite("Scripted broken answers and echoed sessions")
struct BrokenAnswerRuleTests {
    @Test("a broken-answer rule starts the job and marks the answer broken; a stall records no status")
    func brokenStarts() {
        let (core, _) = SimulatorCoreTests.core {
            $0.taskRules = [TaskRule(id: "short", brokenAnswer: .shortBody), TaskRule(id: "stall", brokenAnswer: .stallAfterRequest)]
        }
        let session = SimulatorCoreTests.login(core)
        let short = SimulatorCoreTests.start(core, session, id: "short")
        #expect(short.status == .ok)
        #expect(short.broken == .shortBody)
        #expect(SimulatorCoreTests.json(short)["jobId"] is String)
        #expect(SimulatorCoreTests.start(core, session, id: "stall").broken == .stallAfterRequest)
        let calls = core.startCalls
        #expect(calls.startedCount(for: "short") == 1)
        #expect(calls.startedCount(for: "stall") == 1)
        #expect(calls.calls.map(\.status) == [200, nil])
    }

    @Test("rules with brokenAnswer and echoesSessionId decode from the admin JSON")
    func decoding() throws {
        let json = #"[{"match":{"id":"a"},"status":200,"brokenAnswer":"many_headers"},{"match":{"prefix":"e"},"status":400,"echoesSessionId":true}]"#
        let rules = try JSONDecoder().decode([TaskRule].self, from: Data(json.utf8))
        #expect(rules.map(\.brokenAnswer) == [.manyHeaders, nil])
        #expect(rules.map(\.echoesSessionId) == [nil, true])
    }

    @Test("an echoing rule's error message repeats the request's session id")
    func echoes() {
        let (core, _) = SimulatorCoreTests.core {
            $0.taskRules = [TaskRule(match: .id("echo"), status: 400, times: nil, retryAfterSeconds: nil, echoesSessionId: true)]
        }
        let session = SimulatorCoreTests.login(core)
        let answer = SimulatorCoreTests.start(core, session, id: "echo")
        #expect(answer.status == .badRequest)
        #expect(String(decoding: answer.body, as: UTF8.self).contains(session))
    }
}
