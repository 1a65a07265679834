import Foundation

/// A logged-in session: the id to send and the disnext host to send it to.
struct Session: Sendable, Hashable {
    /// The id sent as `IDS-SESSION-ID`; any length.
    var id: Secret
    /// The disnext server URL, without a trailing slash.
    var serverURL: String
    /// The service's `sessionExpireTime`, when it gave one.
    var expiresAt: Date?
    /// When the session was last used successfully (the idle limit counts from here).
    var lastUsed: Date

    /// Whether the session should be replaced at `now`, ahead of expiry or the idle limit.
    func needsRefresh(at now: Date, settings: SessionSettings) -> Bool {
        self.isExpired(at: now.adding(settings.refreshMargin), settings: settings)
    }

    /// Whether the service no longer accepts the session at `now` (its expiry or the idle limit passed).
    func isExpired(at now: Date, settings: SessionSettings) -> Bool {
        if let expiresAt, now >= expiresAt { return true }
        return now >= self.lastUsed.adding(settings.idleLimit)
    }
}

/// Why a login failed; carries no secret.
struct LoginFailure: Error, Sendable {
    /// `retriable` (network, 5xx, 429) or `permanent` (bad credentials, malformed answer, fixed session rejected).
    var outcome: OutcomeClass
    var status: Int?
    var details: ErrorDetails
    /// Whether this caller waited on a login another caller led: one failed login counts once (for the
    /// leader) toward the circuit breaker, however many callers waited on it.
    var shared = false
}
