/// A call that did not succeed, with everything the caller needs to report it.
///
/// Never contains the password or the session id.
public struct InformaticaFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the call failed, as a small closed set of values.
    public struct Category: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The wire name, e.g. `retries_exhausted`.
        public var rawValue: String

        /// Creates a category from its wire name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request was not valid and was not sent (e.g. an empty code task id).
        public static let invalidRequest = Category(rawValue: "invalid_request")
        /// The service refused it for good (a 4xx other than session errors, a failed login, a rejected
        /// fixed session): nothing started.
        public static let rejected = Category(rawValue: "rejected")
        /// Every allowed attempt failed with a retriable error.
        public static let retriesExhausted = Category(rawValue: "retries_exhausted")
        /// The per-request deadline passed (waits for backoff, the rate limit or the breaker included).
        public static let deadlineExceeded = Category(rawValue: "deadline_exceeded")
        /// A Start request was written and its fate is unknown (a timeout, a reset or 500/502/504), and the
        /// policy says not to try again (``RetryPolicy/InDoubtPolicy/fail``): the job may have started.
        public static let inDoubt = Category(rawValue: "in_doubt")
        /// Informatica answered with a 2xx status line and then the answer broke or could not be read
        /// (short or reset body, bad chunk, too large, too many headers, too slow, not a JSON object with a
        /// `jobId`): the job probably runs. Never retried.
        public static let answerUnreadable = Category(rawValue: "answer_unreadable")

        /// The wire name.
        public var description: String { self.rawValue }

        /// Whether a later call with the same input may succeed.
        public var isRetriable: Bool { self == .retriesExhausted || self == .deadlineExceeded }
    }

    /// Why the call failed.
    public var category: Category
    /// The last HTTP status seen, if any.
    public var httpStatus: Int?
    /// The Informatica error code (e.g. `UI_10000`, `IDS_085`) or a client code
    /// (`protocol_error`, `connection_error`, `timeout`, `circuit_open`, ...).
    public var code: String?
    /// A short message; a cleaned excerpt when the body was not JSON.
    public var message: String
    /// The Informatica request id, when the error body carried one.
    public var requestId: String?
    /// Every attempt made.
    public var attempts: [Attempt]

    /// The code of a call the circuit breaker turned away without sending it (the breaker stayed open past the
    /// call's deadline).
    public static let circuitOpenCode = "circuit_open"

    /// Whether the circuit breaker turned the call away: Informatica was never asked.
    public var isCircuitOpen: Bool { self.code == Self.circuitOpenCode }

    /// The code of a call whose task was cancelled.
    public static let cancelledCode = "cancelled"

    /// Start requests that were written but got no readable answer (in doubt or unreadable): each may
    /// have started a job.
    public var inDoubtAttempts: Int { Attempt.inDoubtCount(self.attempts) }

    /// Whether the caller may hold the request and try it again later (the worker's outage hold).
    ///
    /// True only when Informatica certainly did not act: the call ran out of attempts or time (or the breaker
    /// turned it away) and every request was either never sent (connect refused, breaker open, rate limit)
    /// or answered with a status that starts nothing (429, 503, 408, session errors). False for `in_doubt`,
    /// `answer_unreadable`, permanent failures (`rejected`, `invalid_request`), cancelled calls, and any
    /// call with an in-doubt attempt.
    public var allowsOutageHold: Bool {
        guard self.category == .retriesExhausted || self.category == .deadlineExceeded, self.code != Self.cancelledCode else {
            return false
        }
        return Attempt.certainlyNotActed(self.attempts)
    }

    /// Creates a failure.
    public init(category: Category, httpStatus: Int?, code: String?, message: String, requestId: String?, attempts: [Attempt]) {
        self.category = category
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
        self.attempts = attempts
    }

    /// `category (HTTP status, code): message [request id]`.
    public var description: String {
        var text = "\(self.category)"
        let status = self.httpStatus.map { "HTTP \($0)" }
        let details = [status, self.code].compactMap { $0 }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        text += ": \(self.message)"
        if let requestId = self.requestId { text += " [request id \(requestId)]" }
        return text + " after \(self.attempts.count) attempt(s)"
    }
}
