import Foundation
import Kafka

/// What an input partition's journal says about its records from the committed position on: which were
/// finished (their outcome was published, even if the commit did not get that far) and which attempts are in
/// doubt (a Start request may have been sent, and no outcome was published).
///
/// Built from the journal partition's records in order; pure, so recovery is tested without a broker.
struct JournalScan: Sendable, Equatable {
    /// An attempt without an outcome.
    struct OpenAttempt: Sendable, Equatable {
        /// The journal offset of the earliest open attempt (the journal must be read from here to see it again).
        var journalOffset: Int64
        /// The latest attempt's writer and time (its own clock: shown in events, never compared).
        var member: String
        var at: String
    }

    /// Offsets whose outcome was decided: published, or stored in an `answered` close (see ``answered``).
    var finished: Set<Int64> = []
    /// The `answered` closes of finished offsets whose event may not have been published (no `outcome` close
    /// followed): the next owner publishes each stored event again before the partition starts anything.
    var answered: [Int64: KafkaMessage] = [:]
    /// Open attempts by input offset.
    var open: [Int64: OpenAttempt] = [:]
    /// The earliest journal offset of an attempt for each input offset at or above the committed position,
    /// finished or not: a later commit of the same position must still send its next owner to these outcomes
    /// (see ``JournalLedger/readStart(_:committed:)``).
    var attempts: [Int64: Int64] = [:]
    /// The journal offset the scan read up to: a further read starts here.
    var end: Int64?

    /// Scans journal records of `input` for the offsets a committed `point` leaves unfinished.
    /// - Parameters:
    ///   - records: The journal partition's records, in offset order (other partitions' entries are skipped).
    ///   - point: The input partition's committed position and the offsets finished above it.
    ///   - end: The journal partition's end offset when the records were read.
    mutating func apply(_ records: [KafkaMessage], end: Int64, input: TopicPartition, committed point: CommitPoint?) {
        self.end = max(self.end ?? 0, end)
        for record in records {
            guard let entry = JournalEntry(record), entry.source.topicPartition == input else { continue }
            let offset = entry.offset
            if let point, offset < point.offset { continue }
            if entry.kind == .attempt { self.attempts[offset] = min(self.attempts[offset] ?? record.offset, record.offset) }
            if let point, point.finished.contains(offset) { continue }
            switch entry.kind {
            case .attempt:
                let earliest = self.open[offset]?.journalOffset ?? record.offset
                self.open[offset] = OpenAttempt(journalOffset: earliest, member: entry.member, at: entry.at)
            case .outcome:
                self.open[offset] = nil
                self.finished.insert(offset)
                self.answered[offset] = nil
            case .answered:
                self.open[offset] = nil
                self.finished.insert(offset)
                self.answered[offset] = record
            case .released:
                self.open[offset] = nil
            case .checkpoint:
                break
            }
        }
    }

    /// Open attempts made by other members: their makers may still publish an outcome (a lost partition's calls
    /// wind down), so recovery reads the journal again, for up to its settle time on this member's own clock,
    /// before judging them in doubt. No writer's timestamp is compared with this member's clock (members' clocks
    /// may disagree); an old attempt of a crashed member costs one settle time once, since its next owner closes it.
    func foreignOpenAttempts(notBy member: String) -> Int {
        self.open.values.count { $0.member != member }
    }

    /// The journal read start of the latest checkpoint of `input` in `records` whose commit is at or below the
    /// `committed` offset (every attempt that position leaves unfinished is at or after it); `nil` when the
    /// records hold none.
    static func latestCheckpoint(in records: [KafkaMessage], input: TopicPartition, atOrBelow committed: Int64) -> Int64? {
        records.reversed().lazy.compactMap { JournalEntry($0) }.first {
            $0.kind == .checkpoint && $0.source.topicPartition == input && $0.offset <= committed && $0.journalStart != nil
        }?.journalStart
    }
}
