/// The result of ``InformaticaClient/startCodeTask(codeTaskId:traceparent:)``.
public enum StartOutcome: Sendable, Hashable {
    /// The code task started; carries the job id and the whole answer.
    case started(CodeTaskStarted)
    /// It did not; carries the category, status, error code, message, request id and attempts.
    case failed(InformaticaFailure)

    /// The attempts made, whatever the outcome.
    public var attempts: [Attempt] {
        switch self {
        case .started(let started): return started.attempts
        case .failed(let failure): return failure.attempts
        }
    }

    /// Start requests written without a readable answer, whatever the outcome (each may have started a job).
    public var inDoubtAttempts: Int { Attempt.inDoubtCount(self.attempts) }

    /// The job id when the task started.
    public var jobId: String? {
        if case .started(let started) = self { return started.jobId }
        return nil
    }
}
