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
    /// What the service can have done with the request.
    public var delivery: Delivery

    /// What the service can have done with one request: the Start call classification.
    public enum Delivery: String, Sendable, Hashable {
        /// Never written (connect refused or timed out, no connection free): nothing happened.
        case notSent = "not_sent"
        /// Answered with a status that means nothing started (4xx, 408, 429, 503, session errors).
        case rejected
        /// Written, then no usable answer: a timeout, a reset, or 500/502/504. The job may have started.
        case inDoubt = "in_doubt"
        /// A 2xx status line arrived and then the answer broke or could not be read: the job probably runs.
        case answerUnreadable = "answer_unreadable"
        /// A whole 2xx answer.
        case accepted
    }

    /// Creates an attempt record.
    public init(
        number: Int,
        target: Target,
        status: Int?,
        outcome: OutcomeClass,
        latency: Duration,
        errorCode: String?,
        delivery: Delivery = .notSent
    ) {
        self.number = number
        self.target = target
        self.status = status
        self.outcome = outcome
        self.latency = latency
        self.errorCode = errorCode
        self.delivery = delivery
    }

    /// The API requests among `attempts` that may have reached the service without a readable answer
    /// (``Delivery/inDoubt`` and ``Delivery/answerUnreadable``).
    public static func inDoubtCount(_ attempts: [Attempt]) -> Int {
        attempts.count { $0.target == .request && ($0.delivery == .inDoubt || $0.delivery == .answerUnreadable) }
    }

    /// Whether no request among `attempts` can have started anything: each was not sent or was rejected.
    public static func certainlyNotActed(_ attempts: [Attempt]) -> Bool {
        attempts.allSatisfy { $0.target == .login || $0.delivery == .notSent || $0.delivery == .rejected }
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
