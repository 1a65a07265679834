/// How the client obtains the session id it sends as `IDS-SESSION-ID`.
public enum SessionMode: Sendable, Hashable, CustomStringConvertible {
    /// Identity-service login: `POST <loginURL>/identity-service/api/v1/Login`.
    ///
    /// The login answer has no server URL, so the disnext host is given as `serverURL`.
    case identityService(loginURL: String, serverURL: String, credentials: Credentials)

    /// Platform v3 login: `POST <loginURL>/saas/public/core/v3/login`, logout at shutdown.
    ///
    /// The server URL is the first product's `baseApiUrl` without a trailing `/saas`,
    /// unless `serverURLOverride` is set.
    case v3(loginURL: String, credentials: Credentials, serverURLOverride: String? = nil)

    /// A session id obtained by the operator, used as it is; the client cannot log in again.
    case fixedSession(sessionId: Secret, serverURL: String)

    /// Whether the mode can log in again after the service rejects a session.
    public var canLogin: Bool {
        if case .fixedSession = self { return false }
        return true
    }

    /// The mode with its URLs and user name; secrets are redacted.
    public var description: String {
        switch self {
        case .identityService(let loginURL, let serverURL, let credentials):
            return "identityService(loginURL: \(loginURL), serverURL: \(serverURL), \(credentials))"
        case .v3(let loginURL, let credentials, let override):
            return "v3(loginURL: \(loginURL), serverURLOverride: \(override ?? "none"), \(credentials))"
        case .fixedSession(_, let serverURL):
            return "fixedSession(sessionId: <redacted>, serverURL: \(serverURL))"
        }
    }
}
