public import CodetaskWorker
public import Foundation
public import InformaticaSimulator

/// Sorts the code tasks started more than once by what caused them: a `kill -9` (the start again came after a
/// kill that followed the earlier start), answers slower than the attempt timeout (the earlier start was answered
/// late, so the worker could not know it had started), or anything else (a rebalance, a stop: a broken promise).
public struct DuplicateAttribution: Sendable {
    /// A `kill -9` as the runner saw it.
    public struct Kill: Sendable {
        /// When the signal was sent.
        public var time: Date
        /// The worker group's committed positions just before (`nil` when they could not be read).
        public var committed: [Int32: Int64]?

        /// Creates a kill record.
        public init(time: Date, committed: [Int32: Int64]?) {
            self.time = time
            self.committed = committed
        }
    }

    /// What one kill caused.
    public struct KillResult: Sendable, Hashable {
        /// Requests started (a job) before the kill whose record was not committed: what a new owner may redo.
        public var uncommittedStarted: Int?
        /// Extra starts attributed to this kill.
        public var startedAgain: Int
        /// Of those, starts of records that were committed at the kill (never to be redone).
        public var startedAgainThoughCommitted: Int
        /// Of those, starts again of code tasks whose earlier Start began longer before the kill than a call can
        /// be on the wire (`wireWindow`): their answer had come back, and the attempt journal's answered close
        /// should have kept them from being started again.
        public var startedAgainThoughAnswered: Int = 0

        /// Whether the kill kept its bound: nothing committed redone, at most the uncommitted started ones.
        public var withinBound: Bool {
            guard let bound = self.uncommittedStarted else { return false }
            return self.startedAgain <= bound && self.startedAgainThoughCommitted == 0
        }
    }

    /// Per kill, in the order given.
    public var kills: [KillResult]
    /// Extra starts whose earlier start was answered during a slow-answer window.
    public var afterSlowAnswers: Int
    /// Extra starts with no kill or slow answer to explain them.
    public var unexplained: Int
    /// Some unexplained code tasks, for the report.
    public var unexplainedExamples: [String]
    /// Unexplained extra starts by the last fault that began before them (`start` before any).
    public var unexplainedAfter: [String: Int]

    /// Attributes every extra start in `calls`.
    /// - Parameters:
    ///   - calls: The simulator's record of Start calls.
    ///   - kills: The kills, in time order.
    ///   - slowWindows: When answers were slower than the attempt timeout.
    ///   - sources: Each code task's input record (code task ids are unique per request in a proof run).
    ///   - faults: When each fault began and its name, in time order, to say what preceded unexplained ones.
    ///   - killWindow: How long after a kill a start again is still put down to it.
    ///   - wireWindow: How long before a kill a Start that began may still have been on the wire, or its answer
    ///     not yet stored (the attempt timeout plus the journal's acknowledgement).
    public init(
        calls: StartCallLog, kills: [Kill], slowWindows: [ClosedRange<Date>], sources: [String: RecordSource],
        faults: [(time: Date, name: String)] = [], killWindow: TimeInterval = 120, wireWindow: TimeInterval = 3
    ) {
        var startsByTask: [String: [Date]] = [:]
        for call in calls.calls where call.jobId != nil {
            if let id = call.codeTaskId { startsByTask[id, default: []].append(call.receivedAt) }
        }
        let uncommitted: [Set<String>?] = kills.map { kill in
            kill.committed.map { committed in
                Set(startsByTask.compactMap { id, starts -> String? in
                    guard let first = starts.min(), first < kill.time, let source = sources[id] else { return nil }
                    return source.offset >= (committed[source.partition] ?? 0) ? id : nil
                })
            }
        }
        var results = uncommitted.map { KillResult(uncommittedStarted: $0?.count, startedAgain: 0, startedAgainThoughCommitted: 0) }
        var afterSlow = 0
        var unexplained: [String] = []
        var after: [String: Int] = [:]
        for (id, starts) in startsByTask where starts.count > 1 {
            let sorted = starts.sorted()
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                if let index = kills.lastIndex(where: { earlier < $0.time && $0.time <= later && later.timeIntervalSince($0.time) <= killWindow }) {
                    results[index].startedAgain += 1
                    if kills[index].time.timeIntervalSince(earlier) > wireWindow { results[index].startedAgainThoughAnswered += 1 }
                    if let set = uncommitted[index], !set.contains(id) { results[index].startedAgainThoughCommitted += 1 }
                } else if slowWindows.contains(where: { $0.contains(earlier) }) {
                    afterSlow += 1
                } else {
                    unexplained.append(id)
                    after[faults.last { $0.time <= later }?.name ?? "start", default: 0] += 1
                }
            }
        }
        self.kills = results
        self.afterSlowAnswers = afterSlow
        self.unexplained = unexplained.count
        self.unexplainedExamples = Array(unexplained.sorted().prefix(5))
        self.unexplainedAfter = after
    }
}
