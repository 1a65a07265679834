import Foundation
import Logging
import Metrics
import Synchronization

/// Owns the session: hands it out, logs in once for all callers when it is missing, stale or rejected,
/// logs out of replaced sessions once their calls end, and logs out at shutdown.
///
/// Every session handed out by ``session()`` is in use until ``release(sessionId:)``.
final class SessionManager: Sendable {
    private let machine: Mutex<StateMachine>
    private let authenticator: SessionAuthenticator
    private let clock: any InformaticaClock
    private let logger: Logger
    private let password: Secret?
    private let nextWaiter = Atomic<UInt64>(0)
    private let loginsSucceeded: Counter
    private let loginsFailed: Counter

    init(
        authenticator: SessionAuthenticator, settings: SessionSettings, clock: any InformaticaClock, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.loginsSucceeded = Counter(label: "codetask_worker_logins_total", dimensions: [("result", "succeeded")], factory: metrics)
        self.loginsFailed = Counter(label: "codetask_worker_logins_total", dimensions: [("result", "failed")], factory: metrics)
        self.machine = Mutex(StateMachine(settings: settings))
        self.authenticator = authenticator
        self.clock = clock
        self.logger = logger
        switch authenticator.mode {
        case .identityService(_, _, let credentials), .v3(_, let credentials, _): self.password = credentials.password
        case .fixedSession: self.password = nil
        }
    }

    /// A fresh session, logging in when needed; concurrent callers share one login. The session counts as in
    /// use until ``release(sessionId:)``.
    /// - Throws: ``LoginFailure`` when the login fails, also for callers that waited on it (marked `shared`).
    func session() async throws(LoginFailure) -> Session {
        let now = self.clock.now()
        if let session = self.machine.withLock({ $0.takeFreshSession(now: now) }) { return session }
        let acquired: Acquired
        let id = self.nextWaiter.add(1, ordering: .relaxed).newValue
        do {
            acquired = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (waiter: StateMachine.Waiter) in
                    let action = self.machine.withLock { $0.acquire(now: now, id: id, waiter: waiter) }
                    switch action {
                    case .resume(let acquired): waiter.resume(returning: acquired)
                    case .wait: if Task.isCancelled { self.cancelWait(id) }
                    case .fail: waiter.resume(throwing: Self.closedFailure)
                    }
                }
            } onCancel: {
                self.cancelWait(id)
            }
        } catch let failure as LoginFailure {
            throw failure
        } catch {
            throw Self.cancelledFailure
        }
        switch acquired {
        case .session(let session):
            return session
        case .lead:
            return try await self.leadLogin()
        }
    }

    /// Reports that a call with `sessionId` ended; a replaced session is logged out after its last call, by the
    /// caller that ended it (one logout round trip, within the login timeout, once per refresh).
    func release(sessionId: Secret) async {
        guard let replaced = self.machine.withLock({ $0.release(sessionId: sessionId) }) else { return }
        await self.authenticator.logout(replaced, logger: self.logger)
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

    /// How many callers wait for a running login (for tests).
    var loginWaiters: Int {
        self.machine.withLock { machine in
            if case .loggingIn(_, let waiters) = machine.state { return waiters.count }
            return 0
        }
    }

    /// Removes the password and the current and previous session ids from text that came from Informatica.
    var redactor: SecretRedactor {
        let ids = self.machine.withLock { $0.recentIds }
        return SecretRedactor(secrets: ids + (self.password.map { [$0] } ?? []))
    }

    /// Closes the manager and logs out of the current and replaced sessions when the mode has a logout.
    func close() async {
        let (sessions, waiters) = self.machine.withLock { $0.close() }
        for waiter in waiters { waiter.resume(throwing: Self.closedFailure) }
        for session in sessions { await self.authenticator.logout(session, logger: self.logger) }
    }

    private func leadLogin() async throws(LoginFailure) -> Session {
        do {
            let session = try await self.authenticator.login(logger: self.logger)
            self.loginsSucceeded.increment()
            let (waiters, replaced) = self.machine.withLock { $0.loginSucceeded(session) }
            self.logger.info("Informatica session ready", metadata: ["informatica.waiters": "\(waiters.count)"])
            for waiter in waiters { waiter.resume(returning: .session(session)) }
            if let replaced { await self.authenticator.logout(replaced, logger: self.logger) }
            return session
        } catch {
            self.loginsFailed.increment()
            let waiters = self.machine.withLock { $0.loginFailed() }
            let failure = LoginFailure(outcome: error.outcome, status: error.status, details: self.redactor(error.details))
            self.logger.info(
                "Informatica login failed",
                metadata: [LogKey.status: "\(failure.status.map(String.init) ?? "none")", LogKey.error: "\(failure.details.message)"]
            )
            var shared = failure
            shared.shared = true
            for waiter in waiters { waiter.resume(throwing: shared) }
            throw failure
        }
    }

    /// A caller cancelled while it waited for a login leaves the queue at once.
    private func cancelWait(_ id: UInt64) {
        self.machine.withLock { $0.cancelWait(id: id) }?.resume(throwing: CancellationError())
    }

    private static let cancelledFailure = LoginFailure(
        outcome: .permanent,
        status: nil,
        details: ErrorDetails(code: InformaticaFailure.cancelledCode, message: "cancelled while waiting for a login", requestId: nil)
    )

    private static let closedFailure = LoginFailure(
        outcome: .permanent,
        status: nil,
        details: ErrorDetails(code: "client_shut_down", message: "the Informatica client is shut down", requestId: nil)
    )
}
