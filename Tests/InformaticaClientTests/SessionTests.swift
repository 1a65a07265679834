import KafkaTestSupport
import Foundation
import InformaticaSimulator
import Testing

@testable import InformaticaClient

@Suite("Sessions against the simulator")
struct SessionTests {
    static let password = "sim-PASSWORD-never-logged"

    static func simulatorConfiguration() -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.password = Self.password
        return configuration
    }

    static func identityConfiguration(_ simulator: InformaticaSimulator) -> InformaticaConfiguration {
        var configuration = InformaticaConfiguration(
            session: .identityService(
                loginURL: simulator.baseURL,
                serverURL: simulator.baseURL,
                credentials: Credentials(username: "sim-user", password: Secret(Self.password))
            )
        )
        configuration.http.maxConnectionsPerHost = 8
        return configuration
    }

    /// Checks the captured logs against the password and every session id the simulator issued.
    static func expectNoSecrets(_ capture: LogCapture, _ simulator: InformaticaSimulator) {
        #expect(capture.count > 0)
        #expect(!simulator.issuedSessionIds.isEmpty)
        #expect(!capture.containsAny(of: [Self.password] + simulator.issuedSessionIds))
    }

    @Test("100 concurrent Starts meeting an expired session cause exactly one login, and all succeed")
    func concurrentRelogin() async throws {
        let capture = LogCapture()
        let simulator = try await InformaticaSimulator.start(Self.simulatorConfiguration(), logger: capture.logger("sim"))
        let client = try InformaticaClient(configuration: Self.identityConfiguration(simulator), logger: capture.logger())
        #expect(await client.startCodeTask(codeTaskId: "warm-up").jobId != nil)
        #expect(simulator.stats.logins == 1)
        simulator.expireAllSessions()
        let outcomes = await withTaskGroup(of: StartOutcome.self) { group in
            for index in 0..<100 { group.addTask { await client.startCodeTask(codeTaskId: "task-\(index)") } }
            return await group.reduce(into: [StartOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0.jobId != nil })
        #expect(simulator.stats.logins == 2)
        #expect(simulator.stats.loginsWithSessionHeader == 0)
        #expect(simulator.startCalls.calls.filter { $0.jobId != nil }.count == 101)
        #expect(simulator.startCalls.duplicateStarts.isEmpty)
        await client.shutdown()
        try await simulator.shutdown()
        Self.expectNoSecrets(capture, simulator)
    }

    @Test("a cold start of 100 concurrent calls logs in once")
    func coldStart() async throws {
        let capture = LogCapture()
        let simulator = try await InformaticaSimulator.start(Self.simulatorConfiguration(), logger: capture.logger("sim"))
        let client = try InformaticaClient(configuration: Self.identityConfiguration(simulator), logger: capture.logger())
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<100 { group.addTask { _ = await client.startCodeTask(codeTaskId: "cold-\(index)") } }
        }
        #expect(simulator.stats.logins == 1)
        #expect(simulator.startCalls.calls.count == 100)
        await client.shutdown()
        try await simulator.shutdown()
        Self.expectNoSecrets(capture, simulator)
    }

    @Test("v3 login derives the server URL from baseApiUrl, serves JobStatus and logs out at shutdown")
    func v3LoginAndLogout() async throws {
        let capture = LogCapture()
        var simulatorConfiguration = Self.simulatorConfiguration()
        simulatorConfiguration.jobQueuedSeconds = 0
        simulatorConfiguration.jobRunningSeconds = 60
        let simulator = try await InformaticaSimulator.start(simulatorConfiguration, logger: capture.logger("sim"))
        let configuration = InformaticaConfiguration(
            session: .v3(
                loginURL: simulator.baseURL,
                credentials: Credentials(username: "sim-user", password: Secret(Self.password))
            )
        )
        let client = try InformaticaClient(configuration: configuration, logger: capture.logger())
        let jobId = try #require(
            await client.startCodeTask(codeTaskId: "v3-task", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").jobId
        )
        let status = try await client.jobStatus(jobId: jobId)
        #expect(status.executionState == "RUNNING")
        #expect(!status.isTerminal)
        #expect(status.codeTaskId == "v3-task")
        #expect(simulator.startCalls.calls.first?.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        await #expect(throws: InformaticaFailure.self) { try await client.jobStatus(jobId: "NoSuchJob") }
        await client.shutdown()
        #expect(simulator.stats.logouts == 1)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "after") else {
            Issue.record("expected a failure after shutdown")
            return
        }
        #expect(failure.code == "client_shut_down")
        try await simulator.shutdown()
        Self.expectNoSecrets(capture, simulator)
    }

    @Test("the server URL is baseApiUrl without /saas")
    func serverURLDerivation() {
        #expect(
            SessionAuthenticator.serverURL(fromBaseApiUrl: "https://usw3.dm-us.informaticacloud.com/saas")
                == "https://usw3.dm-us.informaticacloud.com"
        )
        #expect(
            SessionAuthenticator.serverURL(fromBaseApiUrl: "https://usw3.dm-us.informaticacloud.com/saas/")
                == "https://usw3.dm-us.informaticacloud.com"
        )
        #expect(SessionAuthenticator.serverURL(fromBaseApiUrl: "https://host.example/other") == "https://host.example/other")
    }

    @Test("a 403 about the session leads to one new login and success")
    func forbiddenSession() async throws {
        let capture = LogCapture()
        var simulatorConfiguration = Self.simulatorConfiguration()
        simulatorConfiguration.faults.invalidSessionStatus = 403
        simulatorConfiguration.faults.sessionMaxCalls = 2
        let simulator = try await InformaticaSimulator.start(simulatorConfiguration, logger: capture.logger("sim"))
        let client = try InformaticaClient(configuration: Self.identityConfiguration(simulator), logger: capture.logger())
        for index in 0..<5 {
            #expect(await client.startCodeTask(codeTaskId: "t\(index)").jobId != nil)
        }
        // Two calls per session: logins before calls 1, 3 and 5, each after one 403.
        #expect(simulator.stats.logins == 3)
        #expect(simulator.stats.sessionRejections == 2)
        await client.shutdown()
        try await simulator.shutdown()
        Self.expectNoSecrets(capture, simulator)
    }

    @Test("JWT-sized session ids of 16,000 characters work and are never logged")
    func longSessionIds() async throws {
        let capture = LogCapture()
        var simulatorConfiguration = Self.simulatorConfiguration()
        simulatorConfiguration.sessionIdLength = 16_000
        let simulator = try await InformaticaSimulator.start(simulatorConfiguration, logger: capture.logger("sim"))
        let client = try InformaticaClient(configuration: Self.identityConfiguration(simulator), logger: capture.logger())
        #expect(await client.startCodeTask(codeTaskId: "jwt").jobId != nil)
        await client.shutdown()
        try await simulator.shutdown()
        #expect(simulator.issuedSessionIds.allSatisfy { $0.count == 16_000 })
        Self.expectNoSecrets(capture, simulator)
    }

    @Test("wrong credentials are rejected without retrying and without the password in the error")
    func badPassword() async throws {
        let capture = LogCapture()
        let simulator = try await InformaticaSimulator.start(Self.simulatorConfiguration(), logger: capture.logger("sim"))
        var configuration = Self.identityConfiguration(simulator)
        let wrong = "WRONG-password-value"
        configuration.session = .identityService(
            loginURL: simulator.baseURL,
            serverURL: simulator.baseURL,
            credentials: Credentials(username: "sim-user", password: Secret(wrong))
        )
        let client = try InformaticaClient(configuration: configuration, logger: capture.logger())
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .rejected)
        #expect(failure.httpStatus == 401)
        #expect(failure.attempts.map(\.target) == [.login])
        #expect(!"\(failure)".contains(wrong))
        #expect(simulator.stats.failedLogins == 1)
        #expect(simulator.startCalls.calls.isEmpty)
        await client.shutdown()
        try await simulator.shutdown()
        #expect(!capture.containsAny(of: [wrong]))
    }

    @Test("a fixed session that the service rejects is a rejected failure, with no login")
    func fixedSessionRejected() async throws {
        let capture = LogCapture()
        let simulator = try await InformaticaSimulator.start(Self.simulatorConfiguration(), logger: capture.logger("sim"))
        let stale = "STALE-session-id-value-1234"
        let configuration = InformaticaConfiguration(session: .fixedSession(sessionId: Secret(stale), serverURL: simulator.baseURL))
        let client = try InformaticaClient(configuration: configuration, logger: capture.logger())
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .rejected)
        #expect(failure.httpStatus == 401)
        #expect(failure.attempts.count == 1)
        #expect(simulator.stats.logins == 0)
        #expect(!"\(failure)".contains(stale))
        await client.shutdown()
        try await simulator.shutdown()
        #expect(!capture.containsAny(of: [stale]))
    }
}
