/// A scripted answer for Start calls of matching code task ids, for deterministic mixed outcomes.
///
/// Rules are checked in order; the first matching rule with answers left decides. Examples:
/// `TaskRule(prefix: "missing-", status: 404)` always answers 404;
/// `TaskRule(id: "flaky", status: 503, times: 3)` fails three times, then Start succeeds.
public struct TaskRule: Sendable, Hashable, Codable {
    /// Which ids a rule applies to.
    public enum Match: Sendable, Hashable, Codable {
        /// Exactly this id.
        case id(String)
        /// Ids starting with this prefix.
        case prefix(String)

        func matches(_ codeTaskId: String) -> Bool {
            switch self {
            case .id(let id): return codeTaskId == id
            case .prefix(let prefix): return codeTaskId.hasPrefix(prefix)
            }
        }
    }

    /// Which ids the rule applies to.
    public var match: Match
    /// The HTTP status to answer (4xx or 5xx), with an error body.
    public var status: Int
    /// How many times the rule answers; `nil` means always.
    public var times: Int?
    /// A `Retry-After` value in seconds to send with the answer.
    public var retryAfterSeconds: Int?
    /// When set, the task starts (a job is created) and the answer breaks this way; `status` is ignored.
    public var brokenAnswer: BrokenAnswer?
    /// When `true`, the error message echoes the request's `IDS-SESSION-ID`, as a careless service might.
    public var echoesSessionId: Bool?
    /// When set, the answer is this many bytes larger: with `status` 200 the task starts and the answer has a
    /// `padding` member of that length; with an error status the error message is that long.
    public var paddingBytes: Int?

    /// A rule for one id.
    public init(id: String, status: Int, times: Int? = nil, retryAfterSeconds: Int? = nil) {
        self.init(match: .id(id), status: status, times: times, retryAfterSeconds: retryAfterSeconds)
    }

    /// A rule for all ids with a prefix.
    public init(prefix: String, status: Int, times: Int? = nil, retryAfterSeconds: Int? = nil) {
        self.init(match: .prefix(prefix), status: status, times: times, retryAfterSeconds: retryAfterSeconds)
    }

    /// A rule from its parts.
    public init(
        match: Match,
        status: Int,
        times: Int?,
        retryAfterSeconds: Int?,
        brokenAnswer: BrokenAnswer? = nil,
        echoesSessionId: Bool? = nil
    ) {
        self.match = match
        self.status = status
        self.times = times
        self.retryAfterSeconds = retryAfterSeconds
        self.brokenAnswer = brokenAnswer
        self.echoesSessionId = echoesSessionId
    }

    /// A rule whose matching Start calls get an answer `paddingBytes` larger: started (status 200) or an error.
    public init(id: String, status: Int, paddingBytes: Int) {
        self.init(match: .id(id), status: status, times: nil, retryAfterSeconds: nil)
        self.paddingBytes = paddingBytes
    }

    /// A rule whose matching Start calls start the job and then get a broken answer.
    public init(id: String, brokenAnswer: BrokenAnswer, times: Int? = nil) {
        self.init(match: .id(id), status: 200, times: times, retryAfterSeconds: nil, brokenAnswer: brokenAnswer)
    }
}

extension TaskRule.Match {
    private enum CodingKeys: String, CodingKey {
        case id, prefix
    }

    /// Decodes `{"id": "..."}` or `{"prefix": "..."}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(String.self, forKey: .id) {
            self = .id(id)
        } else {
            self = .prefix(try container.decode(String.self, forKey: .prefix))
        }
    }

    /// Encodes `{"id": "..."}` or `{"prefix": "..."}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .id(let id): try container.encode(id, forKey: .id)
        case .prefix(let prefix): try container.encode(prefix, forKey: .prefix)
        }
    }
}
