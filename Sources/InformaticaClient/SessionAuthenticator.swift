import Foundation
import Logging

/// Performs login and logout calls for the configured session mode.
struct SessionAuthenticator: Sendable {
    let mode: SessionMode
    let transport: any HTTPTransport
    let settings: SessionSettings
    let clock: any InformaticaClock

    /// Logs in and returns a new session.
    /// - Throws: ``LoginFailure``.
    func login(logger: Logger) async throws(LoginFailure) -> Session {
        let now = self.clock.now()
        switch self.mode {
        case .fixedSession(let sessionId, let serverURL):
            return Session(id: sessionId, serverURL: serverURL.trimmingTrailingSlashes, expiresAt: nil, lastUsed: now)
        case .identityService(let loginURL, let serverURL, let credentials):
            let answer = try await self.post(loginURL.trimmingTrailingSlashes + "/identity-service/api/v1/Login", credentials, logger)
            guard let id = answer["sessionId"]?.textValue, !id.isEmpty else {
                throw Self.malformed("identity-service login answer has no sessionId")
            }
            let expiresAt = answer["sessionExpireTime"]?.textValue.flatMap(InformaticaDate.parse)
            return Session(id: Secret(id), serverURL: serverURL.trimmingTrailingSlashes, expiresAt: expiresAt, lastUsed: now)
        case .v3(let loginURL, let credentials, let override):
            let answer = try await self.post(loginURL.trimmingTrailingSlashes + "/saas/public/core/v3/login", credentials, logger)
            guard let id = answer["userInfo"]?["sessionId"]?.textValue, !id.isEmpty else {
                throw Self.malformed("v3 login answer has no userInfo.sessionId")
            }
            let serverURL: String
            if let override {
                serverURL = override.trimmingTrailingSlashes
            } else if let base = Self.baseApiUrl(in: answer) {
                serverURL = Self.serverURL(fromBaseApiUrl: base)
            } else {
                throw Self.malformed("v3 login answer has no products[].baseApiUrl and no server URL override is set")
            }
            return Session(id: Secret(id), serverURL: serverURL, expiresAt: nil, lastUsed: now)
        }
    }

    /// Logs out when the mode has a logout (v3); failures are logged, not thrown.
    func logout(_ session: Session, logger: Logger) async {
        guard case .v3(let loginURL, _, _) = self.mode else { return }
        let request = TransportRequest(
            method: .post,
            url: loginURL.trimmingTrailingSlashes + "/saas/public/core/v3/logout",
            headers: [("Content-Type", "application/json"), ("Accept", "application/json"), ("INFA-SESSION-ID", session.id.value)],
            body: Array("{}".utf8),
            timeout: self.settings.loginTimeout
        )
        do {
            let response = try await self.transport.send(request, logger: logger)
            logger.info("Logged out of Informatica", metadata: [LogKey.status: "\(response.status)"])
        } catch {
            logger.info("Informatica logout failed", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// The disnext server URL: `baseApiUrl` without a trailing `/saas`.
    static func serverURL(fromBaseApiUrl base: String) -> String {
        var url = base.trimmingTrailingSlashes
        if url.lowercased().hasSuffix("/saas") { url.removeLast("/saas".count) }
        return url
    }

    private static func baseApiUrl(in answer: JSONValue) -> String? {
        guard case .array(let products)? = answer["products"] else { return nil }
        return products.lazy.compactMap { $0["baseApiUrl"]?.textValue }.first { !$0.isEmpty }
    }

    private func post(_ url: String, _ credentials: Credentials, _ logger: Logger) async throws(LoginFailure) -> JSONValue {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(["username": credentials.username, "password": credentials.password.value]))
        } catch {
            throw Self.malformed("cannot encode the login body")
        }
        let request = TransportRequest(
            method: .post,
            url: url,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: body,
            timeout: self.settings.loginTimeout
        )
        let response: TransportResponse
        do {
            response = try await self.transport.send(request, logger: logger)
        } catch let error as TransportError {
            throw LoginFailure(
                outcome: .retriable,
                status: nil,
                details: ErrorDetails(code: error.code, message: error.message, requestId: nil)
            )
        } catch {
            throw LoginFailure(
                outcome: .retriable,
                status: nil,
                details: ErrorDetails(code: "cancelled", message: "login cancelled", requestId: nil)
            )
        }
        guard (200..<300).contains(response.status) else {
            let details = ErrorDetails(body: response.body, status: response.status)
            let retriable = OutcomeClassifier.retriableStatuses.contains(response.status)
            throw LoginFailure(outcome: retriable ? .retriable : .permanent, status: response.status, details: details)
        }
        guard let answer = try? JSONParser.parse(response.body) else {
            throw Self.malformed("login answer is not JSON")
        }
        logger.debug("Logged in to Informatica", metadata: [LogKey.url: "\(url)"])
        return answer
    }

    private static func malformed(_ message: String) -> LoginFailure {
        LoginFailure(
            outcome: .permanent,
            status: nil,
            details: ErrorDetails(code: "login_protocol_error", message: message, requestId: nil)
        )
    }
}
