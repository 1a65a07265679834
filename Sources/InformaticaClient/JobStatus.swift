import Foundation

/// The answer of `GET <server URL>/disnext/api/v1/CodeTask/JobStatus/<jobId>`.
public struct JobStatus: Sendable, Hashable {
    /// States the documentation names as final (both spellings), compared case-insensitively.
    static let terminalStates: Set<String> = ["SUCCEEDED", "SUCCESS", "FAILED", "CANCELLED", "CANCELED"]

    /// The job id asked about.
    public var jobId: String
    /// `executionState`, e.g. `QUEUED`, `RUNNING`, `SUCCEEDED` (or `Starting`, `Running`, `Success`).
    public var executionState: String?
    /// `codeTaskName`.
    public var codeTaskName: String?
    /// `codeTaskId`.
    public var codeTaskId: String?
    /// `agentGroupId`.
    public var agentGroupId: String?
    /// `sessionLogUrl`.
    public var sessionLogUrl: String?
    /// The whole answer, unknown fields included.
    public var fields: [String: JSONValue]
    /// The body as received.
    public var rawJSON: String
    /// Every attempt made.
    public var attempts: [Attempt]

    /// Whether the job has reached a final state.
    public var isTerminal: Bool {
        guard let state = self.executionState?.uppercased() else { return false }
        return Self.terminalStates.contains(state)
    }

    /// Decodes a JobStatus answer; `nil` when it is not a JSON object.
    init?(jobId: String, body: [UInt8], attempts: [Attempt]) {
        guard let value = try? JSONParser.parse(body), let fields = value.objectValue else {
            return nil
        }
        self.jobId = jobId
        self.executionState = fields["executionState"]?.textValue
        self.codeTaskName = fields["codeTaskName"]?.textValue
        self.codeTaskId = fields["codeTaskId"]?.textValue
        self.agentGroupId = fields["agentGroupId"]?.textValue
        self.sessionLogUrl = fields["sessionLogUrl"]?.textValue
        self.fields = fields
        self.rawJSON = String(decoding: body, as: UTF8.self)
        self.attempts = attempts
    }
}
