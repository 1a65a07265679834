import Foundation
import NIOHTTP1

extension SimulatorCore {
    /// The admin endpoints: `GET|PUT /admin/faults`, `GET|PUT /admin/task-rules`, `POST /admin/sessions/expire`,
    /// `GET /admin/start-calls`, `GET /admin/stats`.
    func admin(_ request: SimRequest, path: String) -> SimResponse {
        switch (request.method, path) {
        case (.GET, "/admin/faults"):
            return Self.encoded(self.state.withLock { $0.faults })
        case (.PUT, "/admin/faults"), (.POST, "/admin/faults"):
            guard let faults = try? JSONDecoder().decode(FaultConfiguration.self, from: Data(request.body)) else {
                return self.error(.badRequest, code: "ADMIN_400", message: "The body must be a FaultConfiguration document.", style: .v2)
            }
            self.setFaults(faults)
            return Self.encoded(faults)
        case (.GET, "/admin/task-rules"):
            return Self.encoded(self.state.withLock { $0.rules.map(\.rule) })
        case (.PUT, "/admin/task-rules"), (.POST, "/admin/task-rules"):
            guard let rules = try? JSONDecoder().decode([TaskRule].self, from: Data(request.body)) else {
                return self.error(.badRequest, code: "ADMIN_400", message: "The body must be a JSON array of task rules.", style: .v2)
            }
            self.setTaskRules(rules)
            return Self.encoded(rules)
        case (.POST, "/admin/sessions/expire"):
            self.expireAllSessions()
            return SimResponse(status: .noContent)
        case (.GET, "/admin/start-calls"):
            return Self.encoded(self.startCalls)
        case (.GET, "/admin/stats"):
            return Self.encoded(self.stats)
        default:
            return self.error(.notFound, code: "HTTP_404", message: "No admin resource at \(path).", style: .v2)
        }
    }

    func setFaults(_ faults: FaultConfiguration) {
        self.state.withLock { $0.faults = faults }
    }

    func setTaskRules(_ rules: [TaskRule]) {
        self.state.withLock { $0.rules = rules.map { RuleState(rule: $0, remaining: $0.times) } }
    }

    var startCalls: StartCallLog {
        StartCallLog(calls: self.state.withLock { $0.calls })
    }

    var stats: SimulatorStats {
        self.state.withLock { $0.stats }
    }

    private static func encoded(_ value: some Encodable) -> SimResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return SimResponse(status: .internalServerError) }
        return SimResponse(status: .ok, headers: [("Content-Type", "application/json")], body: Array(data))
    }
}
