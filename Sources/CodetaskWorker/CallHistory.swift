import InformaticaClient

/// The Start calls a job made before its current one (a call the breaker ended, a call held for an outage).
///
/// Whether a job may have started belongs to the record, not to one call: an in-doubt attempt of an earlier call
/// may have started a job as surely as one of the last call, so the outcome the job publishes carries every call's
/// attempts.
struct CallHistory: Sendable {
    /// The attempts of the earlier calls, in order.
    private(set) var attempts: [Attempt] = []
    /// Whether an earlier (held) job of the record already counted it in doubt (the in-doubt metric counts
    /// records, not the jobs of one record's outage).
    var inDoubtCounted = false

    /// Whether a request of an earlier call may have reached Informatica and started a job.
    var mayHaveActed: Bool { !Attempt.certainlyNotActed(self.attempts) }

    /// A call ended with `failure` and another follows.
    mutating func ended(_ failure: InformaticaFailure) {
        self.attempts += failure.attempts
    }

    /// `outcome` (the last call's) with the earlier calls' attempts before its own.
    func merged(_ outcome: StartOutcome) -> StartOutcome {
        guard !self.attempts.isEmpty else { return outcome }
        switch outcome {
        case .started(var started):
            started.attempts = self.attempts + started.attempts
            return .started(started)
        case .failed(var failure):
            failure.attempts = self.attempts + failure.attempts
            return .failed(failure)
        }
    }
}
