/// A valid "start this code task" request read from the input topic.
public struct StartRequest: Sendable, Hashable {
    /// The caller's id for the request, or `<topic>/<partition>/<offset>` when it gave none.
    public var requestId: String
    /// The code task to start; always a string (a JSON number in the request is normalised).
    public var codeTaskId: String
    /// The ordering key: the record key when present, else the code task id. Requests with the same key
    /// are processed one after another, in offset order.
    public var orderingKey: String
    /// The request's `context` object exactly as it was written, passed on to the result event.
    public var contextJSON: String?
    /// The W3C trace context from the `traceparent` header, carried to the HTTP call and the event.
    public var traceparent: String?
    /// The input record.
    public var source: RecordSource
    /// Whether an earlier attempt at this record may have started a job already (found open in the attempt
    /// journal, and started again under the in-doubt policy `retry`; or an earlier Start call of the same job,
    /// followed by another after the circuit breaker or an outage held it, may have): the events say so.
    public var possibleDuplicate = false

    /// Creates a request.
    public init(
        requestId: String, codeTaskId: String, orderingKey: String, contextJSON: String?, traceparent: String?,
        source: RecordSource
    ) {
        self.requestId = requestId
        self.codeTaskId = codeTaskId
        self.orderingKey = orderingKey
        self.contextJSON = contextJSON
        self.traceparent = traceparent
        self.source = source
    }
}
