import NIOCore

extension ConnectionPool {
    /// What a waiting request is handed.
    enum Grant: Sendable {
        /// An idle connection, now leased to the waiter.
        case connection(HTTPConnection)
        /// A free slot: the waiter opens a new connection.
        case create
    }

    /// A request waiting for a connection.
    struct Waiter {
        var id: UInt64
        var continuation: UnsafeContinuation<Grant, any Error>
        var timeout: Scheduled<Void>?
    }

    /// The connections of one origin.
    struct OriginPool {
        /// Idle connections, the most recently used last.
        var idle: [HTTPConnection] = []
        /// Open or opening connections.
        var count = 0
        /// Open connections by identity, to make removal idempotent.
        var live: [ObjectIdentifier: HTTPConnection] = [:]
        /// Requests waiting for a connection, oldest first.
        var waiters: [Waiter] = []
    }

    /// The pool's state, guarded by its mutex.
    struct State {
        var origins: [RequestTarget.Origin: OriginPool] = [:]
        var nextWaiter: UInt64 = 0
        var shutDown = false

        /// Takes an idle connection or a free slot without waiting; `nil` when the request must wait.
        mutating func leaseNow(_ origin: RequestTarget.Origin, limit: Int) -> Grant? {
            self.origins[origin, default: OriginPool()].leaseNow(limit: limit)
        }

        /// Hands a reusable connection to the oldest waiter, or files it as idle.
        mutating func release(_ connection: HTTPConnection) -> Waiter? {
            self.origins[connection.origin]?.release(connection) ?? nil
        }

        /// Forgets a closed connection (once); the freed slot goes to the oldest waiter, who opens a new one.
        mutating func remove(_ connection: HTTPConnection) -> Waiter? {
            self.origins[connection.origin]?.remove(connection) ?? nil
        }

        /// Gives back the slot of a connection that could not be opened.
        mutating func connectFailed(_ origin: RequestTarget.Origin) -> Waiter? {
            self.origins[origin]?.freeSlot()
        }

        /// Removes a waiter that timed out or was cancelled; `nil` when it was already served.
        mutating func removeWaiter(_ origin: RequestTarget.Origin, id: UInt64) -> Waiter? {
            guard let index = self.origins[origin]?.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return self.origins[origin]?.waiters.remove(at: index)
        }
    }
}

extension ConnectionPool.OriginPool {
    // Mutated in place through the dictionary's accessor: a copy would copy the arrays on every request.

    mutating func release(_ connection: HTTPConnection) -> ConnectionPool.Waiter? {
        guard self.live[ObjectIdentifier(connection)] != nil else { return nil }
        if !self.waiters.isEmpty { return self.waiters.removeFirst() }
        self.idle.append(connection)
        return nil
    }

    mutating func remove(_ connection: HTTPConnection) -> ConnectionPool.Waiter? {
        guard self.live.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return nil }
        self.idle.removeAll { $0 === connection }
        return self.freeSlot()
    }

    mutating func leaseNow(limit: Int) -> ConnectionPool.Grant? {
        if let connection = self.idle.popLast() { return .connection(connection) }
        guard self.count < limit else { return nil }
        self.count += 1
        return .create
    }

    /// Frees a slot; when someone waits, the slot is theirs at once (the count stays).
    mutating func freeSlot() -> ConnectionPool.Waiter? {
        if !self.waiters.isEmpty { return self.waiters.removeFirst() }
        self.count -= 1
        return nil
    }
}
