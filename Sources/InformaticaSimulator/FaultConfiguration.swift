/// Faults the simulator injects; set at start and replaceable at run time (``InformaticaSimulator/setFaults(_:)``
/// or `PUT /admin/faults` with this value as JSON).
public struct FaultConfiguration: Sendable, Hashable, Codable {
    /// Latency added to every non-admin answer. Default none.
    public var latency: LatencyDistribution = .none
    /// Probability per Start call of answering with a status, e.g. `[503: 0.1, 429: 0.05]`.
    /// 502 answers carry an HTML page and 504 an empty body, like a gateway; others a JSON error.
    public var startErrorRates: [Int: Double] = [:]
    /// `Retry-After` seconds sent with 429 and 503 answers; `nil` sends none.
    public var retryAfterSeconds: Int?
    /// Probability per Start or JobStatus call of closing the connection without an answer.
    public var dropConnectionRate: Double = 0
    /// Sessions expire this many seconds after login; `nil` means only the idle limit applies.
    public var sessionLifetimeSeconds: Double?
    /// Sessions expire after this many authenticated calls; `nil` means no limit.
    public var sessionMaxCalls: Int?
    /// Code task ids that do not exist (404).
    public var unknownTaskIds: Set<String> = []
    /// Code task id prefixes that do not exist (404).
    public var unknownTaskIdPrefixes: [String] = []
    /// The status of a rejected session: 401 (documented) or 403 with a session message.
    public var invalidSessionStatus: Int = 401

    /// No faults.
    public init() {}

    /// Decodes a fault document; missing fields keep their defaults, so `{}` means no faults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FaultConfiguration()
        self.latency = try container.decodeIfPresent(LatencyDistribution.self, forKey: .latency) ?? defaults.latency
        self.startErrorRates = try container.decodeIfPresent([Int: Double].self, forKey: .startErrorRates) ?? defaults.startErrorRates
        self.retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        self.dropConnectionRate = try container.decodeIfPresent(Double.self, forKey: .dropConnectionRate) ?? defaults.dropConnectionRate
        self.sessionLifetimeSeconds = try container.decodeIfPresent(Double.self, forKey: .sessionLifetimeSeconds)
        self.sessionMaxCalls = try container.decodeIfPresent(Int.self, forKey: .sessionMaxCalls)
        self.unknownTaskIds = try container.decodeIfPresent(Set<String>.self, forKey: .unknownTaskIds) ?? defaults.unknownTaskIds
        self.unknownTaskIdPrefixes =
            try container.decodeIfPresent([String].self, forKey: .unknownTaskIdPrefixes) ?? defaults.unknownTaskIdPrefixes
        self.invalidSessionStatus = try container.decodeIfPresent(Int.self, forKey: .invalidSessionStatus) ?? defaults.invalidSessionStatus
    }
}
