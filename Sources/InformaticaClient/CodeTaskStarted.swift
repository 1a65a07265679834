public import Foundation

/// A successful Start: the job id and every field of the answer.
public struct CodeTaskStarted: Sendable, Hashable {
    /// The `sparkCodeTaskResponseBody` object of a Start answer, typed.
    public struct SparkDetails: Sendable, Hashable {
        /// `agentGroupId`, e.g. `01000025000000000003`.
        public var agentGroupId: String?
        /// `clusterConfigId`, e.g. `Default`.
        public var clusterConfigId: String?
        /// `logLevel`, e.g. `normal`.
        public var logLevel: String?
        /// `startRunTime` as sent, e.g. `2022-04-04T20:23:57.154+00:00`.
        public var startRunTime: String?
        /// `submitTime` as sent.
        public var submitTime: String?

        /// `startRunTime` as a date, when it parses.
        public var startRunDate: Date? { self.startRunTime.flatMap(InformaticaDate.parse) }
        /// `submitTime` as a date, when it parses.
        public var submitDate: Date? { self.submitTime.flatMap(InformaticaDate.parse) }
    }

    /// `summary`, e.g. `Code Task started successfully`.
    public var summary: String?
    /// `jobId`: the key to job status, session logs, Spark task status and cancel.
    public var jobId: String
    /// `codeTaskInstanceName`, e.g. `Demo-2`.
    public var codeTaskInstanceName: String?
    /// The `sparkCodeTaskResponseBody` fields, when the object was present.
    public var spark: SparkDetails?
    /// The whole answer as a JSON object, unknown fields included.
    public var fields: [String: JSONValue]
    /// The answer's body exactly as received, to pass on unchanged.
    public var rawJSON: String
    /// The answer's top-level members in document order, each with its value's bytes exactly as sent.
    public var members: [JSONParser.Member]
    /// The HTTP status of the answer (200 or 201).
    public var httpStatus: Int
    /// Every attempt made, the successful one last.
    public var attempts: [Attempt]

    /// Decodes a Start answer.
    /// - Parameters:
    ///   - body: The 2xx body.
    ///   - httpStatus: Its status.
    ///   - attempts: The attempts made.
    /// - Returns: `nil` when the body is not an RFC 8259 JSON object with a non-empty string or number
    ///   `jobId` (a protocol error).
    init?(body: [UInt8], httpStatus: Int, attempts: [Attempt]) {
        guard let members = (try? JSONParser.parseMembers(body)) ?? nil else { return nil }
        // A repeated name keeps its last value, in `fields` and in ``rawJSON(of:)`` alike.
        let fields = Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        guard let jobId = fields["jobId"]?.textValue, !jobId.isEmpty else { return nil }
        self.members = members
        self.jobId = jobId
        self.summary = fields["summary"]?.textValue
        self.codeTaskInstanceName = fields["codeTaskInstanceName"]?.textValue
        self.spark = fields["sparkCodeTaskResponseBody"].flatMap { spark in
            guard spark.objectValue != nil else { return nil }
            return SparkDetails(
                agentGroupId: spark["agentGroupId"]?.textValue,
                clusterConfigId: spark["clusterConfigId"]?.textValue,
                logLevel: spark["logLevel"]?.textValue,
                startRunTime: spark["startRunTime"]?.textValue,
                submitTime: spark["submitTime"]?.textValue
            )
        }
        self.fields = fields
        self.rawJSON = String(decoding: body, as: UTF8.self)
        self.httpStatus = httpStatus
        self.attempts = attempts
    }

    /// The JSON text of a top-level member's value exactly as Informatica sent it (strings with their
    /// quotes and escapes, numbers unconverted), or `nil` when the answer has no such member.
    public func rawJSON(of name: String) -> String? {
        self.members.last { $0.name == name }.map { String(decoding: $0.raw, as: UTF8.self) }
    }

    /// Start requests that were written but got no readable answer before this one (see ``Attempt/delivery``).
    public var inDoubtAttempts: Int { Attempt.inDoubtCount(self.attempts) }
}

/// Reads the ISO 8601 times Informatica sends (with or without fractional seconds).
enum InformaticaDate {
    /// The date, or `nil` when the text is not ISO 8601.
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
