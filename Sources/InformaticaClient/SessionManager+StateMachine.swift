import Foundation

extension SessionManager {
    /// What a caller gets from ``StateMachine/acquire(now:waiter:)``.
    enum Acquired: Sendable {
        /// Use this session.
        case session(Session)
        /// Log in on everyone's behalf, then report with ``StateMachine/loginSucceeded(_:)`` or ``StateMachine/loginFailed()``.
        case lead
    }

    /// The session's lifecycle without locks or I/O: one login at a time for all callers; a session being
    /// refreshed ahead of expiry stays in use until the new one is in; a replaced session is logged out once
    /// no call uses it.
    struct StateMachine {
        typealias Waiter = CheckedContinuation<Acquired, any Error>

        enum State {
            case idle
            case ready(Session)
            /// A login runs; `current` is the session it replaces while that one is still accepted.
            /// Waiters are keyed by an id so that a cancelled caller can leave the queue.
            case loggingIn(current: Session?, waiters: [(id: UInt64, waiter: Waiter)])
            case closed
        }

        /// What the caller of ``acquire(now:waiter:)`` must do with its waiter.
        enum AcquireAction {
            case resume(Acquired)
            case wait
            case fail
        }

        /// The most session ids remembered for redaction (the current one and those before it).
        static let rememberedIds = 3

        let settings: SessionSettings
        private(set) var state: State = .idle
        /// Calls in flight per session id.
        private var uses: [Secret: Int] = [:]
        /// Replaced sessions waiting for their last call to end before they are logged out.
        private var retired: [Secret: Session] = [:]
        /// The latest session ids, newest last.
        private(set) var recentIds: [Secret] = []

        init(settings: SessionSettings) {
            self.settings = settings
        }

        /// The current session when it is fresh (counted as in use), without waiting.
        mutating func takeFreshSession(now: Date) -> Session? {
            guard case .ready(let session) = self.state, !session.needsRefresh(at: now, settings: self.settings) else { return nil }
            self.uses[session.id, default: 0] += 1
            return session
        }

        /// Hands out the session, makes the caller the login leader, or queues it behind the running login.
        /// While a refresh runs, the session it replaces is handed out as long as the service still accepts it.
        mutating func acquire(now: Date, id: UInt64, waiter: Waiter) -> AcquireAction {
            switch self.state {
            case .ready(let session) where !session.needsRefresh(at: now, settings: self.settings):
                self.uses[session.id, default: 0] += 1
                return .resume(.session(session))
            case .ready(let session):
                let usable = session.isExpired(at: now, settings: self.settings) ? nil : session
                self.state = .loggingIn(current: usable, waiters: [])
                return .resume(.lead)
            case .idle:
                self.state = .loggingIn(current: nil, waiters: [])
                return .resume(.lead)
            case .loggingIn(let current?, let waiters) where !current.isExpired(at: now, settings: self.settings):
                self.state = .loggingIn(current: current, waiters: waiters)
                self.uses[current.id, default: 0] += 1
                return .resume(.session(current))
            case .loggingIn(_, var waiters):
                waiters.append((id, waiter))
                self.state = .loggingIn(current: nil, waiters: waiters)
                return .wait
            case .closed:
                return .fail
            }
        }

        /// Stores the new session; returns the waiters to resume with it (each counted as a use) and the
        /// replaced session to log out now, when no call uses it.
        mutating func loginSucceeded(_ session: Session) -> (waiters: [Waiter], logout: Session?) {
            guard case .loggingIn(let current, let queued) = self.state else { return ([], nil) }
            let waiters = queued.map(\.waiter)
            self.state = .ready(session)
            self.remember(session.id)
            self.uses[session.id, default: 0] += waiters.count + 1  // the leader too
            guard let current, current.id != session.id else { return (waiters, nil) }
            if self.uses[current.id, default: 0] == 0 { return (waiters, current) }
            self.retired[current.id] = current
            return (waiters, nil)
        }

        /// Returns the waiters to fail; the next caller leads a new login (the replaced session, still
        /// accepted, stays in use).
        mutating func loginFailed() -> [Waiter] {
            guard case .loggingIn(let current, let waiters) = self.state else { return [] }
            self.state = current.map { .ready($0) } ?? .idle
            return waiters.map(\.waiter)
        }

        /// Takes a cancelled caller out of the login queue; returns its waiter to fail, or `nil` when it was
        /// already served.
        mutating func cancelWait(id: UInt64) -> Waiter? {
            guard case .loggingIn(let current, var waiters) = self.state, let index = waiters.firstIndex(where: { $0.id == id }) else {
                return nil
            }
            let waiter = waiters.remove(at: index).waiter
            self.state = .loggingIn(current: current, waiters: waiters)
            return waiter
        }

        /// A call with `sessionId` ended; returns a replaced session to log out when it was its last call.
        mutating func release(sessionId: Secret) -> Session? {
            guard let count = self.uses[sessionId] else { return nil }
            if count > 1 {
                self.uses[sessionId] = count - 1
                return nil
            }
            self.uses[sessionId] = nil
            return self.retired.removeValue(forKey: sessionId)
        }

        /// Drops the session when it is still the one the service rejected (others may have replaced it already).
        /// A rejected session is not logged out: the service no longer knows it.
        mutating func invalidate(sessionId: Secret) {
            switch self.state {
            case .ready(let session) where session.id == sessionId:
                self.state = .idle
            case .loggingIn(let current?, let waiters) where current.id == sessionId:
                self.state = .loggingIn(current: nil, waiters: waiters)
            default:
                break
            }
        }

        /// Notes a successful use, for the idle limit.
        mutating func markUsed(sessionId: Secret, at now: Date) {
            if case .ready(var session) = self.state, session.id == sessionId, session.lastUsed < now {
                session.lastUsed = now
                self.state = .ready(session)
            }
        }

        /// Closes the machine; returns the sessions to log out of (current and replaced) and the waiters to fail.
        mutating func close() -> (sessions: [Session], waiters: [Waiter]) {
            defer {
                self.state = .closed
                self.retired = [:]
            }
            let retired = Array(self.retired.values)
            switch self.state {
            case .ready(let session): return (retired + [session], [])
            case .loggingIn(let current, let waiters): return (retired + (current.map { [$0] } ?? []), waiters.map(\.waiter))
            case .idle, .closed: return (retired, [])
            }
        }

        private mutating func remember(_ id: Secret) {
            self.recentIds.removeAll { $0 == id }
            self.recentIds.append(id)
            if self.recentIds.count > Self.rememberedIds { self.recentIds.removeFirst() }
        }
    }
}
