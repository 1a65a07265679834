import Foundation

extension SessionManager {
    /// What a caller gets from ``StateMachine/acquire(now:waiter:)``.
    enum Acquired: Sendable {
        /// Use this session.
        case session(Session)
        /// Log in on everyone's behalf, then report with ``StateMachine/loginSucceeded(_:)`` or ``StateMachine/loginFailed()``.
        case lead
    }

    /// The session's lifecycle without locks or I/O: one login at a time for all callers.
    struct StateMachine {
        typealias Waiter = CheckedContinuation<Acquired, any Error>

        enum State {
            case idle
            case ready(Session)
            case loggingIn(waiters: [Waiter])
            case closed
        }

        /// What the caller of ``acquire(now:waiter:)`` must do with its waiter.
        enum AcquireAction {
            case resume(Acquired)
            case wait
            case fail
        }

        let settings: SessionSettings
        private(set) var state: State = .idle

        init(settings: SessionSettings) {
            self.settings = settings
        }

        /// The current session when it is fresh, without waiting.
        func freshSession(now: Date) -> Session? {
            if case .ready(let session) = self.state, !session.needsRefresh(at: now, settings: self.settings) { return session }
            return nil
        }

        /// Hands out the session, makes the caller the login leader, or queues it behind the running login.
        mutating func acquire(now: Date, waiter: Waiter) -> AcquireAction {
            switch self.state {
            case .ready(let session) where !session.needsRefresh(at: now, settings: self.settings):
                return .resume(.session(session))
            case .idle, .ready:
                self.state = .loggingIn(waiters: [])
                return .resume(.lead)
            case .loggingIn(var waiters):
                waiters.append(waiter)
                self.state = .loggingIn(waiters: waiters)
                return .wait
            case .closed:
                return .fail
            }
        }

        /// Stores the new session and returns the waiters to resume with it.
        mutating func loginSucceeded(_ session: Session) -> [Waiter] {
            guard case .loggingIn(let waiters) = self.state else { return [] }
            self.state = .ready(session)
            return waiters
        }

        /// Returns the waiters to fail; the next caller leads a new login.
        mutating func loginFailed() -> [Waiter] {
            guard case .loggingIn(let waiters) = self.state else { return [] }
            self.state = .idle
            return waiters
        }

        /// Drops the session when it is still the one the service rejected (others may have replaced it already).
        mutating func invalidate(sessionId: Secret) {
            if case .ready(let session) = self.state, session.id == sessionId { self.state = .idle }
        }

        /// Notes a successful use, for the idle limit.
        mutating func markUsed(sessionId: Secret, at now: Date) {
            if case .ready(var session) = self.state, session.id == sessionId, session.lastUsed < now {
                session.lastUsed = now
                self.state = .ready(session)
            }
        }

        /// Closes the machine; returns the session to log out of and the waiters to fail.
        mutating func close() -> (session: Session?, waiters: [Waiter]) {
            defer { self.state = .closed }
            switch self.state {
            case .ready(let session): return (session, [])
            case .loggingIn(let waiters): return (nil, waiters)
            case .idle, .closed: return (nil, [])
            }
        }
    }
}
