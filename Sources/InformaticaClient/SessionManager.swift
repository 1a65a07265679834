import Foundation
import Logging
import Synchronization

/// Owns the session: hands it out, logs in once for all callers when it is missing, stale or rejected,
/// and logs out at shutdown.
final class SessionManager: Sendable {
    private let machine: Mutex<StateMachine>
    private let authenticator: SessionAuthenticator
    private let clock: any InformaticaClock
    private let logger: Logger

    init(authenticator: SessionAuthenticator, settings: SessionSettings, clock: any InformaticaClock, logger: Logger) {
        self.machine = Mutex(StateMachine(settings: settings))
        self.authenticator = authenticator
        self.clock = clock
        self.logger = logger
    }

    /// A fresh session, logging in when needed; concurrent callers share one login.
    /// - Throws: ``LoginFailure`` when the login fails, also for callers that waited on it.
    func session() async throws(LoginFailure) -> Session {
        let now = self.clock.now()
        if let session = self.machine.withLock({ $0.freshSession(now: now) }) { return session }
        let acquired: Acquired
        do {
            acquired = try await withCheckedThrowingContinuation { (waiter: StateMachine.Waiter) in
                let action = self.machine.withLock { $0.acquire(now: now, waiter: waiter) }
                switch action {
                case .resume(let acquired): waiter.resume(returning: acquired)
                case .wait: break
                case .fail: waiter.resume(throwing: Self.closedFailure)
                }
            }
        } catch let failure as LoginFailure {
            throw failure
        } catch {
            throw Self.closedFailure
        }
        switch acquired {
        case .session(let session):
            return session
        case .lead:
            return try await self.leadLogin()
        }
    }

    /// Reports that the service rejected `sessionId`; the next ``session()`` logs in unless someone already did.
    func invalidate(sessionId: Secret) {
        self.machine.withLock { $0.invalidate(sessionId: sessionId) }
    }

    /// Reports a successful call with `sessionId`, which restarts the idle limit.
    func markUsed(sessionId: Secret) {
        let now = self.clock.now()
        self.machine.withLock { $0.markUsed(sessionId: sessionId, at: now) }
    }

    /// Closes the manager and logs out of the current session when the mode has a logout.
    func close() async {
        let (session, waiters) = self.machine.withLock { $0.close() }
        for waiter in waiters { waiter.resume(throwing: Self.closedFailure) }
        if let session { await self.authenticator.logout(session, logger: self.logger) }
    }

    private func leadLogin() async throws(LoginFailure) -> Session {
        do {
            let session = try await self.authenticator.login(logger: self.logger)
            let waiters = self.machine.withLock { $0.loginSucceeded(session) }
            self.logger.info("Informatica session ready", metadata: ["informatica.waiters": "\(waiters.count)"])
            for waiter in waiters { waiter.resume(returning: .session(session)) }
            return session
        } catch {
            let waiters = self.machine.withLock { $0.loginFailed() }
            self.logger.info(
                "Informatica login failed",
                metadata: [LogKey.status: "\(error.status.map(String.init) ?? "none")", LogKey.error: "\(error.details.message)"]
            )
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
    }

    private static let closedFailure = LoginFailure(
        outcome: .permanent,
        status: nil,
        details: ErrorDetails(code: "client_shut_down", message: "the Informatica client is shut down", requestId: nil)
    )
}
