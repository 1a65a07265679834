import Foundation
import NIOHTTP1

extension SimulatorCore {
    /// `POST /identity-service/api/v1/Login`.
    func identityServiceLogin(_ request: SimRequest) -> SimResponse {
        if let failure = self.checkLogin(request, style: .v2) { return failure }
        let (sessionId, now) = self.newSession()
        let expires = now.addingTimeInterval(self.configuration.sessionExpireSeconds)
        return .json(
            .ok,
            .object([
                ("id", .string("0100000100000000000A")),
                ("currentOrgId", .string("0100000")),
                ("orgId", .string("0100000")),
                ("orgName", .string("Simulated Org")),
                ("name", .string(self.configuration.username)),
                ("sessionId", .string(sessionId)),
                ("sessionExpireTime", .string(Self.iso8601(expires))),
            ])
        )
    }

    /// `POST /saas/public/core/v3/login`.
    func v3Login(_ request: SimRequest) -> SimResponse {
        if let failure = self.checkLogin(request, style: .v3) { return failure }
        let (sessionId, _) = self.newSession()
        let base = self.state.withLock { $0.baseURL }
        return .json(
            .ok,
            .object([
                ("products", .array([.object([("name", .string("Integration Cloud")), ("baseApiUrl", .string(base + "/saas"))])])),
                (
                    "userInfo",
                    .object([
                        ("sessionId", .string(sessionId)),
                        ("id", .string("0100000100000000000A")),
                        ("name", .string(self.configuration.username)),
                        ("parentOrgId", .string("52ZSTB0IDK6dXxaEQLUaQu")),
                        ("orgId", .string("0100000")),
                        ("orgName", .string("Simulated Org")),
                        ("groups", .object([])),
                        ("status", .string("Active")),
                    ])
                ),
            ])
        )
    }

    /// `POST /saas/public/core/v3/logout` with `INFA-SESSION-ID`.
    func v3Logout(_ request: SimRequest) -> SimResponse {
        let id = request.header("INFA-SESSION-ID") ?? ""
        let known = self.state.withLock { state -> Bool in
            guard state.sessions[id] != nil, state.sessions[id]?.revoked == false else { return false }
            state.sessions[id]?.revoked = true
            state.stats.logouts += 1
            return true
        }
        guard known else { return self.error(.unauthorized, code: "AUTH_01", message: "Invalid or expired session.", style: .v3) }
        return SimResponse(status: .ok)
    }

    /// Checks `IDS-SESSION-ID`; returns the refusal, or `nil` when the session is valid (and counts the call).
    func authenticate(_ request: SimRequest) -> SimResponse? {
        let id = request.header("IDS-SESSION-ID") ?? ""
        let now = self.now()
        let (valid, status) = self.state.withLock { state -> (Bool, Int) in
            let status = state.faults.invalidSessionStatus
            guard var record = state.sessions[id], !record.revoked else {
                state.stats.sessionRejections += 1
                return (false, status)
            }
            let idle = now.timeIntervalSince(record.lastUsed) > self.configuration.sessionIdleSeconds
            let aged = state.faults.sessionLifetimeSeconds.map { now.timeIntervalSince(record.createdAt) > $0 } ?? false
            let used = state.faults.sessionMaxCalls.map { record.calls >= $0 } ?? false
            guard !idle, !aged, !used else {
                state.sessions[id]?.revoked = true
                state.stats.sessionRejections += 1
                return (false, status)
            }
            record.calls += 1
            record.lastUsed = now
            state.sessions[id] = record
            return (true, status)
        }
        guard !valid else { return nil }
        if status == 403 {
            return self.error(.forbidden, code: "UI_10000", message: "Invalid session. Log in again.", style: self.configuration.errorStyle)
        }
        return self.error(.unauthorized, code: "UI_10000", message: "Invalid or expired session ID.", style: self.configuration.errorStyle)
    }

    /// Marks every session expired (the admin endpoint and tests use it).
    func expireAllSessions() {
        self.state.withLock { state in
            for id in state.sessions.keys { state.sessions[id]?.revoked = true }
        }
    }

    private func checkLogin(_ request: SimRequest, style: SimulatorConfiguration.ErrorStyle) -> SimResponse? {
        if request.header("IDS-SESSION-ID") != nil || request.header("INFA-SESSION-ID") != nil {
            self.state.withLock { $0.stats.loginsWithSessionHeader += 1 }
        }
        guard Self.isJSON(request) else {
            return self.error(.unsupportedMediaType, code: "HTTP_415", message: "Content-Type must be application/json.", style: style)
        }
        guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let username = body["username"] as? String, let password = body["password"] as? String
        else {
            self.state.withLock { $0.stats.failedLogins += 1 }
            return self.error(.badRequest, code: "AUTH_02", message: "The body must have a username and a password.", style: style)
        }
        guard username == self.configuration.username, password == self.configuration.password else {
            self.state.withLock { $0.stats.failedLogins += 1 }
            return self.error(.unauthorized, code: "AUTH_01", message: "Invalid user name or password.", style: style)
        }
        return nil
    }

    private func newSession() -> (String, Date) {
        let now = self.now()
        let id = self.state.withLock { state -> String in
            var id = state.ids.alphanumeric(self.configuration.sessionIdLength)
            while state.sessions[id] != nil { id = state.ids.alphanumeric(self.configuration.sessionIdLength) }
            state.sessions[id] = SessionRecord(createdAt: now, lastUsed: now)
            state.stats.logins += 1
            return id
        }
        return (id, now)
    }

    /// Whether the request's `Content-Type` is JSON (parameters such as `charset` allowed).
    static func isJSON(_ request: SimRequest) -> Bool {
        guard let value = request.header("Content-Type") else { return false }
        return value.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// A time as Informatica writes it, e.g. `2022-04-04T20:23:57.154+00:00`.
    static func iso8601(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text
    }
}
