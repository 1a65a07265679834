import CodetaskDemo
public import CodetaskWorker
public import InformaticaSimulator
import Kafka
import Logging

/// What an independent reading of the topics and of the simulator's Start calls says about a run. It trusts
/// nothing the worker reports about itself: requests are classified with the request contract (the parser), and
/// every event is matched to its input record by the `source` it names.
public struct AuditReport: Sendable {
    /// Input records read.
    public var inputRecords = 0
    /// Input records that are valid requests.
    public var validRequests = 0
    /// Input records that are not.
    public var malformedRecords = 0
    /// Events (started and failed) read from the output topic.
    public var terminalEvents = 0
    /// Valid requests with a started event.
    public var started = 0
    /// Valid requests with a failed event and no started one.
    public var failed = 0
    /// Valid requests with no terminal event.
    public var lost: [RecordSource] = []
    /// Events whose `ce_id` was read before (a request's outcome published again).
    public var duplicateEvents = 0
    /// Some of the `ce_id`s read more than once (up to 5), to look the events up.
    public var duplicateEventIds: [String] = []
    /// Valid requests with both a started and a failed event (e.g. an `in_doubt` failure for a request whose
    /// first owner published its start and died before closing its journal attempt).
    public var startedAndFailed: [RecordSource] = []
    /// Start calls the simulator received (`nil` without its record).
    public var startCalls: Int?
    /// Code tasks that the simulator started more than once, and how many times each.
    public var startedMoreThanOnce: [String: Int]?
    /// Of the code tasks started more than once, those with no started event flagged `possibleDuplicate`: a
    /// second job nobody was told about (`nil` without the simulator's record).
    public var startedMoreThanOnceUnflagged: [String]?
    /// Dead-letter copies read, by `dlq_reason`.
    public var deadLetteredByReason: [String: Int] = [:]
    /// Malformed input records with no dead-letter copy.
    public var malformedNotDeadLettered: [RecordSource] = []
    /// The worker group's lag per input partition: end offset minus committed position.
    public var lagByPartition: [Int32: Int64] = [:]
    /// Partitions the broker had deleted records from before the audit read them (see ``TopicSnapshot``).
    public var partitionsNotFromZero: [String] = []
    /// The largest time from an input record's timestamp to its first event's timestamp, in milliseconds.
    public var largestEndToEndMilliseconds: Int64?

    /// Extra Start calls that started a job again (each code task's starts beyond its first).
    public var extraStarts: Int? { self.startedMoreThanOnce.map { $0.values.reduce(0) { $0 + $1 - 1 } } }

    /// Audits a run.
    /// - Parameters:
    ///   - snapshot: The three topics, read from the beginning.
    ///   - startCalls: The simulator's record of Start calls, when known.
    ///   - committed: The worker group's committed position per input partition.
    ///   - topics: The topic names.
    ///   - parser: The request contract the input is classified with.
    public init(
        snapshot: TopicSnapshot, startCalls: StartCallLog?, committed: [Int32: Int64], topics: WorkerTopics,
        parser: RequestParser = RequestParser()
    ) {
        var valid = Set<RecordSource>()
        var malformed = Set<RecordSource>()
        var inputTimes: [RecordSource: Int64] = [:]
        for message in snapshot.input {
            let source = RecordSource(topic: message.topic, partition: message.partition, offset: message.offset)
            inputTimes[source] = message.timestampMilliseconds
            switch parser.parse(message) {
            case .success: valid.insert(source)
            case .failure: malformed.insert(source)
            }
        }
        var audit = OutputAudit(expected: valid)
        for message in snapshot.output + snapshot.deadLetter { audit.record(message, topics: topics) }
        self.partitionsNotFromZero = snapshot.partitionsNotFromZero
        self.inputRecords = snapshot.input.count
        self.validRequests = valid.count
        self.malformedRecords = malformed.count
        self.terminalEvents = audit.entries.values.reduce(0) { $0 + $1.eventIds.count }
        self.started = audit.startedCount
        self.failed = valid.count { audit.entries[$0].map { $0.isFailed && !$0.isStarted } ?? false }
        self.lost = valid.filter { audit.entries[$0]?.eventTypes.isEmpty ?? true }.sorted(by: Self.order)
        let eventIds = snapshot.output.compactMap { $0.headers.last(named: "ce_id") }
        self.duplicateEvents = eventIds.count - Set(eventIds).count
        var seen = Set<String>()
        self.duplicateEventIds = Array(eventIds.filter { !seen.insert($0).inserted }.prefix(5))
        self.startedAndFailed = valid.filter { audit.entries[$0].map { $0.isFailed && $0.isStarted } ?? false }
            .sorted(by: Self.order)
        self.startCalls = startCalls?.calls.count
        self.startedMoreThanOnce = startCalls?.duplicateStarts
        let flagged = Set(audit.entries.values.filter(\.startedFlaggedPossibleDuplicate).compactMap(\.codeTaskId))
        self.startedMoreThanOnceUnflagged = self.startedMoreThanOnce.map { $0.keys.filter { !flagged.contains($0) }.sorted() }
        for message in snapshot.deadLetter {
            self.deadLetteredByReason[message.headers.last(named: DeadLetterHeader.reason) ?? "?", default: 0] += 1
        }
        self.malformedNotDeadLettered = malformed.filter { !(audit.entries[$0]?.isDeadLettered ?? false) }.sorted(by: Self.order)
        for (partition, end) in snapshot.inputEnds { self.lagByPartition[partition] = max(0, end - (committed[partition] ?? 0)) }
        self.largestEndToEndMilliseconds = valid.compactMap { source -> Int64? in
            guard let input = inputTimes[source], let first = audit.entries[source]?.eventTimestamps.first, let output = first
            else { return nil }
            return output - input
        }.max()
    }

    /// Whether every valid request has a terminal event, and the topics were read whole.
    public var isLossFree: Bool { self.lost.isEmpty && self.partitionsNotFromZero.isEmpty }

    private static func order(_ a: RecordSource, _ b: RecordSource) -> Bool { (a.partition, a.offset) < (b.partition, b.offset) }
}
