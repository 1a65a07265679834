extension InformaticaClient {
    /// The JobStatus path below the server URL; the job id follows.
    static let jobStatusPath = "/disnext/api/v1/CodeTask/JobStatus/"

    /// Asks for a job's state: `GET <server URL>/disnext/api/v1/CodeTask/JobStatus/<jobId>`.
    ///
    /// Follows the same retry, session and breaker rules as Start; not rate limited.
    /// - Parameter jobId: The job id from ``CodeTaskStarted/jobId``.
    /// - Returns: The job's state and every field of the answer.
    /// - Throws: ``InformaticaFailure`` when the call fails or the answer is not a JSON object.
    public func jobStatus(jobId: String) async throws(InformaticaFailure) -> JobStatus {
        let allowed =
            !jobId.isEmpty
            && jobId.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "?" && $0 != "#" && $0 != "%" }
        guard allowed else {
            throw InformaticaFailure(
                category: .invalidRequest,
                httpStatus: nil,
                code: "invalid_request",
                message: "jobId must be non-empty printable ASCII without / ? # %",
                requestId: nil,
                attempts: []
            )
        }
        let plan = CallPlan(name: "job_status", rateLimited: false, metadata: [LogKey.jobId: jobId]) { session, timeout in
            TransportRequest(
                method: .get,
                url: session.serverURL + Self.jobStatusPath + jobId,
                headers: [("Accept", "application/json"), ("IDS-SESSION-ID", session.id.value)],
                body: nil,
                timeout: timeout
            )
        }
        switch await self.execute(plan) {
        case .failure(let failure):
            throw failure
        case .success(let delivered):
            guard let status = JobStatus(jobId: jobId, body: delivered.response.body, attempts: delivered.attempts) else {
                throw InformaticaFailure(
                    category: .rejected,
                    httpStatus: delivered.response.status,
                    code: "protocol_error",
                    message: "the JobStatus answer is not a JSON object",
                    requestId: nil,
                    attempts: delivered.attempts
                )
            }
            return status
        }
    }
}
