/// Why an input record is not a valid request; it goes to the dead-letter topic with this reason.
public struct RequestRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The reason as written in the `dlq_reason` header.
        public var rawValue: String
        /// A reason from its text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw value.
        public var description: String { self.rawValue }

        /// The value is larger than the configured limit.
        public static let tooLarge = Reason(rawValue: "too_large")
        /// The value is not valid UTF-8.
        public static let invalidUTF8 = Reason(rawValue: "invalid_utf8")
        /// The value is not JSON.
        public static let notJSON = Reason(rawValue: "not_json")
        /// The value is JSON but not an object.
        public static let notAnObject = Reason(rawValue: "not_an_object")
        /// `codeTaskId` is absent.
        public static let missingCodeTaskId = Reason(rawValue: "missing_code_task_id")
        /// `codeTaskId` has the wrong type, length or characters.
        public static let invalidCodeTaskId = Reason(rawValue: "invalid_code_task_id")
        /// `requestId` is not a non-empty string of at most ``RequestLimits/maxRequestIdLength`` Unicode scalars
        /// without control characters.
        public static let invalidRequestId = Reason(rawValue: "invalid_request_id")
        /// `context` is not an object or is larger than ``RequestLimits/maxContextBytes`` bytes.
        public static let invalidContext = Reason(rawValue: "invalid_context")
        /// A field the worker reads appears twice.
        public static let duplicateField = Reason(rawValue: "duplicate_field")
        /// The last `traceparent` header is not a W3C trace context (`00-<32 hex>-<16 hex>-<2 hex>`), or not text.
        public static let invalidTraceparent = Reason(rawValue: "invalid_traceparent")
        /// The record value is null (a tombstone); its copy keeps the null value.
        public static let tombstone = Reason(rawValue: "tombstone")
        /// Not a rejection of the input: the request's event could never be published (too large, refused by the
        /// broker); the dead-letter record carries the event instead. See ``DeadLetterFactory/publishFailed(_:source:error:)``.
        public static let publishFailed = Reason(rawValue: "publish_failed")
    }

    /// The machine-readable reason.
    public var reason: Reason
    /// A sentence for people; never contains more than a short excerpt of the record.
    public var message: String
    /// The code task id, when one could still be read (a `codetask.start.failed` event is then published too).
    public var codeTaskId: String?
    /// The request id, when one could be read.
    public var requestId: String?

    /// Creates a rejection.
    public init(_ reason: Reason, _ message: String, codeTaskId: String? = nil, requestId: String? = nil) {
        self.reason = reason
        self.message = message
        self.codeTaskId = codeTaskId
        self.requestId = requestId
    }

    /// `<reason>: <message>`.
    public var description: String { "\(self.reason): \(self.message)" }
}
