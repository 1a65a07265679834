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
        /// The service refused it for good (a 4xx other than session errors, a protocol error,
        /// a failed login, a rejected fixed session).
        public static let rejected = Category(rawValue: "rejected")
        /// Every allowed attempt failed with a retriable error.
        public static let retriesExhausted = Category(rawValue: "retries_exhausted")
        /// The per-request deadline passed (waits for backoff, the rate limit or the breaker included).
        public static let deadlineExceeded = Category(rawValue: "deadline_exceeded")

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
