import Foundation
import NIOHTTP1
import Synchronization

/// The simulator's logic and state, without sockets: a request in, an answer out.
final class SimulatorCore: Sendable {
    struct SessionRecord {
        var createdAt: Date
        var lastUsed: Date
        var calls = 0
        var revoked = false
    }

    struct JobRecord {
        var codeTaskId: String
        var createdAt: Date
    }

    struct RuleState {
        var rule: TaskRule
        var remaining: Int?
    }

    struct State {
        /// Draws faults and latencies: the same seed and request order give the same faults.
        var random: SeededGenerator
        /// Draws session, job and request ids, seeded from the system so that ids never repeat across runs
        /// (a session id from an earlier run must stay invalid) and do not shift the fault draws.
        var ids = SeededGenerator(seed: UInt64.random(in: 0...UInt64.max))
        var faults: FaultConfiguration
        var rules: [RuleState]
        var sessions: [String: SessionRecord] = [:]
        var jobs: [String: JobRecord] = [:]
        var calls: [StartCall] = []
        /// Jobs started per code task id, for `codeTaskInstanceName`.
        var runs: [String: Int] = [:]
        var stats = SimulatorStats()
        var baseURL = ""
    }

    let configuration: SimulatorConfiguration
    let state: Mutex<State>
    let now: @Sendable () -> Date

    init(configuration: SimulatorConfiguration, now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.now = now
        self.state = Mutex(
            State(
                random: SeededGenerator(seed: configuration.seed),
                faults: configuration.faults,
                rules: configuration.taskRules.map { RuleState(rule: $0, remaining: $0.times) }
            )
        )
    }

    /// Answers one request.
    func handle(_ request: SimRequest) -> SimResponse {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        if path.hasPrefix("/admin/") {
            guard self.configuration.adminEnabled else { return self.notFound(path) }
            return self.admin(request, path: path)
        }
        let delay = self.state.withLock { $0.faults.latency.sample(using: &$0.random) }
        var response: SimResponse
        switch (request.method, path) {
        case (.POST, "/identity-service/api/v1/Login"): response = self.identityServiceLogin(request)
        case (.POST, "/saas/public/core/v3/login"): response = self.v3Login(request)
        case (.POST, "/saas/public/core/v3/logout"): response = self.v3Logout(request)
        case (.POST, "/disnext/api/v1/CodeTask/Start"): response = self.start(request)
        case (.GET, _) where path.hasPrefix(Self.jobStatusPrefix):
            response = self.jobStatus(request, jobId: String(path.dropFirst(Self.jobStatusPrefix.count)))
        case (_, "/identity-service/api/v1/Login"), (_, "/saas/public/core/v3/login"), (_, "/saas/public/core/v3/logout"),
            (_, "/disnext/api/v1/CodeTask/Start"):
            response = self.error(
                .methodNotAllowed,
                code: "HTTP_405",
                message: "Method \(request.method.rawValue) is not allowed here.",
                style: .v2
            )
        default:
            response = self.notFound(path)
        }
        response.delay = delay
        return response
    }

    static let jobStatusPrefix = "/disnext/api/v1/CodeTask/JobStatus/"

    private func notFound(_ path: String) -> SimResponse {
        self.error(.notFound, code: "HTTP_404", message: "No resource at \(path).", style: .v2)
    }
}
