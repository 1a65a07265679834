/// Ways a Start answer breaks after Informatica has accepted the request and started the job: each begins
/// with `HTTP/1.1 200 OK` (except ``stallAfterRequest``, which never answers), so a client must not send
/// Start again. Set on a ``TaskRule`` to script it for matching code task ids.
public enum BrokenAnswer: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Content-Length` larger than the body sent, then the connection closes.
    case shortBody = "short_body"
    /// Half the body, then a TCP reset.
    case resetMidBody = "reset_mid_body"
    /// A chunked body whose second chunk size is not hexadecimal.
    case malformedChunk = "malformed_chunk"
    /// A 50 MB body.
    case hugeBody = "huge_body"
    /// 10,000 header fields before the body.
    case manyHeaders = "many_headers"
    /// Half the body, the rest after ``BrokenAnswer/slowBodyDelaySeconds`` (longer than any test's attempt timeout).
    case slowBody = "slow_body"
    /// The request is read (and the job started), and no answer ever comes; the connection stays open.
    case stallAfterRequest = "stall_after_request"

    /// The pause in the middle of a ``slowBody`` answer.
    public static let slowBodyDelaySeconds: Int64 = 5
    /// The size of a ``hugeBody`` answer.
    public static let hugeBodyBytes = 50 * 1024 * 1024
    /// The header count of a ``manyHeaders`` answer.
    public static let manyHeadersCount = 10_000
}
