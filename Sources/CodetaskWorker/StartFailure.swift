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
}
