/// What the retry engine needs to know about one kind of call.
struct CallPlan: Sendable {
    /// A short name for logs (`start`, `job_status`).
    var name: String
    /// The name of each request's client span (`POST /disnext/api/v1/CodeTask/Start`).
    var spanName: String { "informatica.\(self.name)" }
    /// Whether the call takes a token from the Start rate limit.
    var rateLimited: Bool
    /// Log metadata of the call (code task id, job id); never secrets.
    var metadata: [String: String]
    /// Builds the HTTP request for a session and an attempt timeout.
    var makeRequest: @Sendable (_ session: Session, _ timeout: Duration) -> TransportRequest
    /// When requested, the call sends no further request (see ``CallWindDown``).
    var windDown: CallWindDown? = nil
}
