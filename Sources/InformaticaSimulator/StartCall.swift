public import Foundation

/// One Start request the simulator received.
public struct StartCall: Sendable, Hashable, Codable {
    /// The call's position among all Start calls, from 1.
    public var sequence: Int
    /// The code task id from the body, as text; `nil` when the body had none.
    public var codeTaskId: String?
    /// The status answered; `nil` when the connection was dropped instead.
    public var status: Int?
    /// The job id, when the task started.
    public var jobId: String?
    /// The `traceparent` header, when sent.
    public var traceparent: String?
    /// When the call arrived.
    public var receivedAt: Date

    /// A call record (the simulator makes them; audits and their tests read them).
    public init(sequence: Int, codeTaskId: String?, status: Int?, jobId: String?, traceparent: String? = nil, receivedAt: Date) {
        self.sequence = sequence
        self.codeTaskId = codeTaskId
        self.status = status
        self.jobId = jobId
        self.traceparent = traceparent
        self.receivedAt = receivedAt
    }
}

/// A snapshot of the Start calls received, for asserting duplicates and ordering.
public struct StartCallLog: Sendable, Hashable, Codable {
    /// Every Start call in arrival order.
    public var calls: [StartCall]

    /// A log of these calls.
    public init(calls: [StartCall]) {
        self.calls = calls
    }

    /// How many Start calls named `codeTaskId`, whatever the answer.
    public func count(for codeTaskId: String) -> Int {
        self.calls.count { $0.codeTaskId == codeTaskId }
    }

    /// How many Start calls for `codeTaskId` started a job.
    public func startedCount(for codeTaskId: String) -> Int {
        self.calls.count { $0.codeTaskId == codeTaskId && $0.jobId != nil }
    }

    /// Calls per code task id.
    public var countsByTaskId: [String: Int] {
        self.calls.reduce(into: [:]) { counts, call in
            if let id = call.codeTaskId { counts[id, default: 0] += 1 }
        }
    }

    /// The code task ids in arrival order (calls without an id left out).
    public var order: [String] { self.calls.compactMap(\.codeTaskId) }

    /// The code task ids that started a job, in order.
    public var startedOrder: [String] { self.calls.compactMap { $0.jobId == nil ? nil : $0.codeTaskId } }

    /// Ids that started more than one job.
    public var duplicateStarts: [String: Int] {
        self.calls.reduce(into: [String: Int]()) { counts, call in
            if let id = call.codeTaskId, call.jobId != nil { counts[id, default: 0] += 1 }
        }.filter { $0.value > 1 }
    }
}
