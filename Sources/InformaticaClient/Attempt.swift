/// One HTTP attempt of a call, recorded for the caller.
public struct Attempt: Sendable, Hashable {
    /// What the attempt called.
    public enum Target: String, Sendable, Hashable {
        /// The API call itself (Start or JobStatus).
        case request
        /// A login made on the call's behalf.
        case login
    }

    /// The attempt's number within the call, from 1.
    public var number: Int
    /// What the attempt called.
    public var target: Target
    /// The HTTP status, or `nil` when no response arrived (connection error, timeout).
    public var status: Int?
    /// How the outcome was classified.
    public var outcome: OutcomeClass
    /// The time from sending to the end of the response (or the failure).
    public var latency: Duration
    /// The Informatica error code or transport error name, when the attempt failed.
    public var errorCode: String?

    /// Creates an attempt record.
    public init(number: Int, target: Target, status: Int?, outcome: OutcomeClass, latency: Duration, errorCode: String?) {
        self.number = number
        self.target = target
        self.status = status
        self.outcome = outcome
        self.latency = latency
        self.errorCode = errorCode
    }
}

/// The class of one attempt's outcome, which decides what happens next.
public enum OutcomeClass: String, Sendable, Hashable {
    /// 2xx: done.
    case success
    /// Connection errors, timeouts, 408, 429, 500, 502, 503, 504: back off and retry.
    case retriable
    /// 401, or 403 about the session: log in again, then retry.
    case session
    /// Any other status: never retried.
    case permanent
}
