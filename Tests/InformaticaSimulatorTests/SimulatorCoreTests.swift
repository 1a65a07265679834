import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import InformaticaSimulator

/// A settable clock for the simulator.
final class SimClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
    var now: Date { self.current.withLock { $0 } }
    func advance(_ seconds: Double) { self.current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Simulator logic")
struct SimulatorCoreTests {
    static func core(_ configure: (inout SimulatorConfiguration) -> Void = { _ in }) -> (SimulatorCore, SimClock) {
        var configuration = SimulatorConfiguration()
        configure(&configuration)
        let clock = SimClock()
        return (SimulatorCore(configuration: configuration, now: { clock.now }), clock)
    }

    static func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String = "") -> SimRequest {
        SimRequest(method: method, path: path, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    static func json(_ response: SimResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    static func login(_ core: SimulatorCore) -> String {
        let response = core.handle(
            request(
                .POST,
                "/identity-service/api/v1/Login",
                headers: [("Content-Type", "application/json")],
                body: #"{"username":"sim-user","password":"sim-password"}"#
            )
        )
        return json(response)["sessionId"] as? String ?? ""
    }

    static func start(_ core: SimulatorCore, _ session: String, id: String, contentType: String = "application/json") -> SimResponse {
        core.handle(
            request(
                .POST,
                "/disnext/api/v1/CodeTask/Start",
                headers: [("Content-Type", contentType), ("Accept", "application/json"), ("IDS-SESSION-ID", session)],
                body: #"{ "codeTaskId" : "\#(id)" }"#
            )
        )
    }

    @Test("a Start answer has the seed's shape and field order, with a unique 22-character job id")
    func startShape() throws {
        let (core, _) = Self.core()
        let session = Self.login(core)
        var jobIds = Set<String>()
        for _ in 0..<500 {
            let response = Self.start(core, session, id: "Demo")
            #expect(response.status == .ok)
            let jobId = try #require(Self.json(response)["jobId"] as? String)
            #expect(jobId.count == 22 && jobId.allSatisfy { $0.isLetter || $0.isNumber })
            jobIds.insert(jobId)
        }
        #expect(jobIds.count == 500)
        let body = String(decoding: Self.start(core, session, id: "Demo").body, as: UTF8.self)
        let pattern =
            #"^\{ "summary": "Code Task started successfully", "jobId": "[A-Za-z0-9]{22}", "codeTaskInstanceName": "Demo-501", "sparkCodeTaskResponseBody": \{ "agentGroupId": "01000025000000000003", "clusterConfigId": "Default", "logLevel": "normal", "startRunTime": "[0-9T:.+-]{29}", "submitTime": "[0-9T:.+-]{29}" \} \}$"#
        #expect(body.range(of: pattern, options: .regularExpression) != nil, "\(body)")
    }

    @Test("requests are checked: content type, session, body shape, id format")
    func checks() {
        let (core, _) = Self.core()
        let session = Self.login(core)
        #expect(Self.start(core, session, id: "ok").status == .ok)
        #expect(Self.start(core, session, id: "ok", contentType: "text/plain").status == .unsupportedMediaType)
        #expect(Self.start(core, "", id: "ok").status == .unauthorized)
        #expect(Self.start(core, "stale-session", id: "ok").status == .unauthorized)
        #expect(Self.start(core, session, id: "bad id!").status == .badRequest)
        let missing = core.handle(
            Self.request(
                .POST,
                "/disnext/api/v1/CodeTask/Start",
                headers: [("Content-Type", "application/json"), ("IDS-SESSION-ID", session)],
                body: #"{"other": 1}"#
            )
        )
        #expect(missing.status == .badRequest)
        #expect(Self.json(missing)["@type"] as? String == "error")
        let numeric = core.handle(
            Self.request(
                .POST,
                "/disnext/api/v1/CodeTask/Start",
                headers: [("Content-Type", "application/json"), ("IDS-SESSION-ID", session)],
                body: #"{ "codeTaskId" : 12345 }"#
            )
        )
        #expect(numeric.status == .ok)
        let calls = core.startCalls
        #expect(calls.calls.map(\.status) == [200, 415, 401, 401, 400, 400, 200])
        #expect(calls.order == ["ok", "ok", "ok", "ok", "bad id!", "12345"])
        #expect(calls.count(for: "ok") == 4)
        #expect(calls.startedCount(for: "ok") == 1)
        #expect(
            core.handle(
                Self.request(
                    .POST,
                    "/identity-service/api/v1/Login",
                    headers: [("Content-Type", "application/json")],
                    body: #"{"username":"sim-user","password":"nope"}"#
                )
            ).status == .unauthorized
        )
    }

    @Test("jobs move QUEUED, RUNNING, SUCCEEDED over the configured times")
    func jobStates() throws {
        let (core, clock) = Self.core {
            $0.jobQueuedSeconds = 2; $0.jobRunningSeconds = 5
        }
        let session = Self.login(core)
        let jobId = try #require(Self.json(Self.start(core, session, id: "Demo"))["jobId"] as? String)
        func state() -> String? {
            Self.json(
                core.handle(Self.request(.GET, "/disnext/api/v1/CodeTask/JobStatus/\(jobId)", headers: [("IDS-SESSION-ID", session)]))
            )["executionState"] as? String
        }
        #expect(state() == "QUEUED")
        clock.advance(3)
        #expect(state() == "RUNNING")
        clock.advance(5)
        #expect(state() == "SUCCEEDED")
        #expect(
            core.handle(Self.request(.GET, "/disnext/api/v1/CodeTask/JobStatus/nope", headers: [("IDS-SESSION-ID", session)])).status
                == .notFound
        )
    }

    @Test("sessions expire after a time, a number of calls, the idle limit, or on demand")
    func sessionExpiry() {
        let (core, clock) = Self.core {
            $0.faults.sessionMaxCalls = 2; $0.sessionIdleSeconds = 100
        }
        var session = Self.login(core)
        #expect(Self.start(core, session, id: "a").status == .ok)
        #expect(Self.start(core, session, id: "a").status == .ok)
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
        session = Self.login(core)
        clock.advance(101)
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
        var faults = FaultConfiguration()
        faults.sessionLifetimeSeconds = 10
        core.setFaults(faults)
        session = Self.login(core)
        clock.advance(5)
        #expect(Self.start(core, session, id: "a").status == .ok)
        clock.advance(6)
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
        session = Self.login(core)
        core.expireAllSessions()
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
        #expect(core.stats.logins == 4)
        #expect(core.stats.sessionRejections == 4)
    }

    @Test("faults are deterministic under a seed")
    func deterministic() {
        func run(seed: UInt64) -> [UInt] {
            let (core, _) = Self.core {
                $0.seed = seed
                $0.faults.startErrorRates = [503: 0.2, 429: 0.1, 500: 0.1]
                $0.faults.dropConnectionRate = 0.05
                $0.faults.latency = .exponential(meanMilliseconds: 5)
            }
            let session = Self.login(core)
            return (0..<200).map { _ in
                let response = Self.start(core, session, id: "x")
                return response.dropConnection ? 0 : response.status.code + UInt(response.delay.components.attoseconds / 1_000_000_000_000)
            }
        }
        let first = run(seed: 42)
        #expect(first == run(seed: 42))
        #expect(first != run(seed: 43))
        let statuses = Set(first.map { $0 == 0 ? 0 : $0 - $0 % 100 })
        #expect(statuses.isSuperset(of: [0, 200, 400, 500]))
    }

    @Test("scripted 429 carries Retry-After; 502 is HTML; 504 is empty; v3 errors carry a request id")
    func errorShapes() {
        let (core, _) = Self.core { $0.errorStyle = .v3 }
        core.setTaskRules([
            TaskRule(id: "r429", status: 429, retryAfterSeconds: 7), TaskRule(id: "r502", status: 502), TaskRule(id: "r504", status: 504),
        ])
        let session = Self.login(core)
        let tooMany = Self.start(core, session, id: "r429")
        #expect(tooMany.status == .tooManyRequests)
        #expect(tooMany.headers.contains { $0 == ("Retry-After", "7") })
        let error = Self.json(tooMany)["error"] as? [String: Any]
        #expect((error?["requestId"] as? String)?.count == 22)
        #expect(String(decoding: Self.start(core, session, id: "r502").body, as: UTF8.self).contains("<title>502 Bad Gateway</title>"))
        #expect(Self.start(core, session, id: "r504").body.isEmpty)
    }

    @Test("task rules script per-id outcomes: prefixes always, counted rules N times")
    func taskRules() {
        let (core, _) = Self.core {
            $0.taskRules = [TaskRule(prefix: "missing-", status: 404), TaskRule(id: "flaky", status: 503, times: 2)]
            $0.faults.unknownTaskIds = ["gone"]
        }
        let session = Self.login(core)
        #expect(Self.start(core, session, id: "missing-1").status == .notFound)
        #expect(Self.start(core, session, id: "missing-2").status == .notFound)
        #expect(Self.start(core, session, id: "gone").status == .notFound)
        #expect(Self.start(core, session, id: "flaky").status == .serviceUnavailable)
        #expect(Self.start(core, session, id: "flaky").status == .serviceUnavailable)
        #expect(Self.start(core, session, id: "flaky").status == .ok)
        #expect(core.startCalls.count(for: "flaky") == 3)
        #expect(core.startCalls.startedOrder == ["flaky"])
    }

    @Test("admin endpoints change faults and rules at run time and report calls")
    func admin() throws {
        let (core, _) = Self.core()
        let put = core.handle(
            Self.request(
                .PUT,
                "/admin/faults",
                body:
                    #"{"startErrorRates": {"503": 1}, "retryAfterSeconds": 2, "latency": {"fixed": {"milliseconds": 3}}, "dropConnectionRate": 0, "unknownTaskIds": [], "unknownTaskIdPrefixes": [], "invalidSessionStatus": 401}"#
            )
        )
        #expect(put.status == .ok)
        let session = Self.login(core)
        let response = Self.start(core, session, id: "a")
        #expect(response.status == .serviceUnavailable)
        #expect(response.delay == .milliseconds(3))
        #expect(core.handle(Self.request(.PUT, "/admin/faults", body: "{}")).status == .ok)
        #expect(core.handle(Self.request(.PUT, "/admin/task-rules", body: #"[{"match": {"prefix": "p-"}, "status": 404}]"#)).status == .ok)
        #expect(Self.start(core, session, id: "p-1").status == .notFound)
        #expect(Self.start(core, session, id: "a").status == .ok)
        #expect(core.handle(Self.request(.PUT, "/admin/faults", body: "nonsense")).status == .badRequest)
        let calls = Self.json(core.handle(Self.request(.GET, "/admin/start-calls")))["calls"] as? [[String: Any]]
        #expect(calls?.count == 3)
        #expect(core.handle(Self.request(.POST, "/admin/sessions/expire")).status == .noContent)
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
    }

    @Test("v3 login points products[].baseApiUrl back at the simulator; logout revokes the session")
    func v3() throws {
        let (core, _) = Self.core()
        core.state.withLock { $0.baseURL = "http://127.0.0.1:9999" }
        let login = Self.json(
            core.handle(
                Self.request(
                    .POST,
                    "/saas/public/core/v3/login",
                    headers: [("Content-Type", "application/json")],
                    body: #"{"username":"sim-user","password":"sim-password"}"#
                )
            )
        )
        let products = try #require(login["products"] as? [[String: Any]])
        #expect(products.first?["baseApiUrl"] as? String == "http://127.0.0.1:9999/saas")
        let session = try #require((login["userInfo"] as? [String: Any])?["sessionId"] as? String)
        #expect(Self.start(core, session, id: "a").status == .ok)
        #expect(core.handle(Self.request(.POST, "/saas/public/core/v3/logout", headers: [("INFA-SESSION-ID", session)])).status == .ok)
        #expect(Self.start(core, session, id: "a").status == .unauthorized)
        #expect(
            core.handle(Self.request(.POST, "/saas/public/core/v3/logout", headers: [("INFA-SESSION-ID", session)])).status == .unauthorized
        )
    }
}
