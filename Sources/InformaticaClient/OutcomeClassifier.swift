/// Classifies an HTTP status (and its error body) into an ``OutcomeClass``; the one place that decides
/// what is retried.
enum OutcomeClassifier {
    /// Statuses retried after a backoff.
    static let retriableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// Words in a 403's code or message that mean the session, not the permission, is at fault.
    static let sessionWords = ["session", "authenticat", "unauthori", "token", "login", "expired"]

    /// The class of a response.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - details: The parsed error body, for 403 answers.
    static func classify(status: Int, details: ErrorDetails?) -> OutcomeClass {
        switch status {
        case 200..<300: return .success
        case 401: return .session
        case 403: return self.speaksOfSession(details) ? .session : .permanent
        case _ where self.retriableStatuses.contains(status): return .retriable
        default: return .permanent
        }
    }

    /// Retriable statuses after which the service may have acted on the request (a gateway lost the answer,
    /// an internal error mid-way): in doubt. The other retriable statuses (408, 429, 503) started nothing.
    static let inDoubtStatuses: Set<Int> = [500, 502, 504]

    /// The Start call classification of an answered request.
    static func delivery(status: Int) -> Attempt.Delivery {
        if (200..<300).contains(status) { return .accepted }
        return self.inDoubtStatuses.contains(status) ? .inDoubt : .rejected
    }

    private static func speaksOfSession(_ details: ErrorDetails?) -> Bool {
        guard let details else { return false }
        let text = ((details.code ?? "") + " " + details.message).lowercased()
        return self.sessionWords.contains { text.contains($0) }
    }
}
