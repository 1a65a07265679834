import InformaticaClient

/// Polls a job's status until it reaches a terminal state, printing each state change.
struct JobFollower {
    let client: InformaticaClient
    let jobId: String
    /// Seconds between status calls.
    let pollInterval: Double
    /// Seconds to follow at most.
    let timeout: Double

    /// States that end a job well.
    static let successStates: Set<String> = ["SUCCEEDED", "SUCCESS"]

    /// Follows the job.
    /// - Returns: Whether it ended in a success state (`false` after a failed state, a failed status call or the
    ///   timeout).
    func follow() async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(self.timeout * 1000))
        var lastState: String?
        while true {
            let status: JobStatus
            do {
                status = try await self.client.jobStatus(jobId: self.jobId)
            } catch {
                print("start: job \(self.jobId) status failed: \(error)")
                return false
            }
            let state = status.executionState ?? "unknown"
            if state != lastState {
                print("start: job \(self.jobId) \(state)")
                lastState = state
            }
            if status.isTerminal {
                if let url = status.sessionLogUrl { print("start: sessionLogUrl=\(url)") }
                return Self.successStates.contains(state.uppercased())
            }
            guard ContinuousClock.now < deadline else {
                print("start: job \(self.jobId) still \(state) after \(self.timeout) s; stopped waiting")
                return false
            }
            do { try await Task.sleep(for: .milliseconds(Int(self.pollInterval * 1000))) } catch { return false }
        }
    }
}
