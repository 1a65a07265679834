import Foundation
import InformaticaSimulator
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Simulator over HTTP")
struct SimulatorServerTests {
    private static func send(_ url: String, method: String = "POST", headers: [String: String] = [:], body: String? = nil) async throws -> (
        Int, Data, [AnyHashable: Any]
    ) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.allHeaderFields)
    }

    @Test("login and the seed's Start request over a real socket; a stale session gets 401")
    func loginAndStart() async throws {
        var logger = Logger(label: "sim-test")
        logger.logLevel = .critical
        let simulator = try await InformaticaSimulator.start(SimulatorConfiguration(), logger: logger)
        #expect(simulator.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(simulator.port > 0)
        let (status, data, _) = try await Self.send(
            simulator.baseURL + "/identity-service/api/v1/Login",
            headers: ["Content-Type": "application/json"],
            body: #"{"username": "sim-user", "password": "sim-password"}"#
        )
        #expect(status == 200)
        let login = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let session = try #require(login?["sessionId"] as? String)
        #expect(login?["sessionExpireTime"] is String)
        let headers = ["Content-Type": "application/json", "Accept": "application/json", "IDS-SESSION-ID": session]
        let (startStatus, startData, _) = try await Self.send(
            simulator.baseURL + "/disnext/api/v1/CodeTask/Start",
            headers: headers,
            body: #"{ "codeTaskId" : "0100000Z000000000002" }"#
        )
        #expect(startStatus == 200)
        let started = try JSONSerialization.jsonObject(with: startData) as? [String: Any]
        #expect((started?["jobId"] as? String)?.count == 22)
        #expect(started?["summary"] as? String == "Code Task started successfully")
        let (stale, _, _) = try await Self.send(
            simulator.baseURL + "/disnext/api/v1/CodeTask/Start",
            headers: ["Content-Type": "application/json", "IDS-SESSION-ID": "stale"],
            body: #"{"codeTaskId": "x"}"#
        )
        #expect(stale == 401)
        #expect(simulator.startCalls.calls.map(\.status) == [200, 401])
        try await simulator.shutdown()
    }

    @Test("a dropped connection gives the client no answer")
    func dropped() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults.dropConnectionRate = 1
        var logger = Logger(label: "sim-test")
        logger.logLevel = .critical
        let simulator = try await InformaticaSimulator.start(configuration, logger: logger)
        await #expect(throws: (any Error).self) {
            _ = try await Self.send(
                simulator.baseURL + "/disnext/api/v1/CodeTask/Start",
                headers: ["Content-Type": "application/json"],
                body: #"{"codeTaskId": "x"}"#
            )
        }
        #expect(simulator.stats.droppedConnections >= 1)
        #expect(simulator.startCalls.calls.first?.status == nil)
        try await simulator.shutdown()
    }
}
