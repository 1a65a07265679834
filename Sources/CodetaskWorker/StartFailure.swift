public import InformaticaClient

/// The `error` of a `codetask.start.failed` event.
public struct StartFailure: Sendable, Hashable {
    /// `invalid_request`, `rejected`, `retries_exhausted`, `deadline_exceeded`, `in_doubt` or `answer_unreadable`.
    public var category: String
    /// The last HTTP status, when there was an answer.
    public var httpStatus: Int?
    /// The service's error code, or the worker's own (`timeout`, `connection_error`, a rejection reason, ...).
    public var code: String?
    /// What went wrong, in words (never contains secrets).
    public var message: String
    /// The Informatica request id of the last answer, when it had one.
    public var informaticaRequestId: String?
    /// Start requests sent.
    public var attempts: Int
    /// Start requests written without a readable answer (each may have started a job).
    public var inDoubtAttempts: Int
    /// For category `in_doubt` from the attempt journal: when the earlier attempt was made (ISO 8601) and by
    /// which worker instance.
    public var earlierAttemptAt: String?
    public var earlierAttemptBy: String?

    /// The failure reported by the Informatica client.
    public init(_ failure: InformaticaFailure) {
        self.category = failure.category.rawValue
        self.httpStatus = failure.httpStatus
        self.code = failure.code
        self.message = failure.message
        self.informaticaRequestId = failure.requestId
        self.attempts = EventFactory.requestAttempts(failure.attempts)
        self.inDoubtAttempts = failure.inDoubtAttempts
    }

    /// A record that was read far enough to know its code task id but is not a valid request.
    public init(_ rejection: RequestRejection) {
        self.category = InformaticaFailure.Category.invalidRequest.rawValue
        self.httpStatus = nil
        self.code = rejection.reason.rawValue
        self.message = rejection.message
        self.informaticaRequestId = nil
        self.attempts = 0
        self.inDoubtAttempts = 0
    }

    /// A record whose earlier attempt (found open in the attempt journal) may have started a job: not started
    /// again under the in-doubt policy `fail`.
    init(inDoubtSince attempt: JournalLedger.InDoubt) {
        self.category = InformaticaFailure.Category.inDoubt.rawValue
        self.httpStatus = nil
        self.code = "earlier_attempt_in_doubt"
        self.message = "an earlier Start attempt (\(attempt.at), worker \(attempt.member)) may have started a job and "
            + "no outcome was published; not started again (in-doubt policy fail)"
        self.informaticaRequestId = nil
        self.attempts = 0
        self.inDoubtAttempts = 1
        self.earlierAttemptAt = attempt.at
        self.earlierAttemptBy = attempt.member
    }
}
