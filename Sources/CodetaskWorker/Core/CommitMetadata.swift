/// The offsets finished above a committed position, carried in the commit's metadata string, so that the
/// next owner of the partition (this member after a restart, or another) does not start them again.
///
/// Format: `cw1:` followed by comma-separated ranges of distances from the committed offset, e.g.
/// `cw1:2-4,7` for offsets position+2 ... position+4 and position+7, then optionally `;j=<offset>`: where the
/// next owner starts reading the partition's attempt journal (see ``JournalLedger/readStart(_:committed:)``). The string is kept under
/// ``maxBytes`` (Kafka's `offset.metadata.max.bytes` is 4,096 by default); when it would not fit, the highest
/// offsets are left out and are then processed again (at least once, never lost).
enum CommitMetadata {
    /// The longest metadata written.
    static let maxBytes = 3000
    private static let prefix = "cw1:"
    /// The most offsets a decoded string may name (a bound against foreign or damaged metadata).
    private static let maxOffsets = 100_000

    private static let journalMark = ";j="

    /// Encodes the finished offsets above `point.offset` and the journal's read start.
    static func encode(_ point: CommitPoint, journalStart: Int64? = nil) -> String? {
        let point = point.normalized
        let distances = point.finished.map { $0 &- point.offset }.filter { $0 > 0 }.sorted()
        guard !distances.isEmpty || journalStart != nil else { return nil }
        let journal = journalStart.map { Self.journalMark + String($0) } ?? ""
        var text = Self.prefix
        var index = 0
        while index < distances.count {
            var end = index
            while end + 1 < distances.count && distances[end + 1] == distances[end] + 1 { end += 1 }
            let range = end == index ? "\(distances[index])" : "\(distances[index])-\(distances[end])"
            let piece = (text.utf8.count == Self.prefix.utf8.count ? "" : ",") + range
            guard text.utf8.count + piece.utf8.count + journal.utf8.count <= Self.maxBytes else { break }
            text += piece
            index = end + 1
        }
        return text + journal
    }

    /// Whether `metadata` was written by ``encode(_:journalStart:)``.
    static func isWritten(by metadata: String?) -> Bool {
        metadata?.hasPrefix(Self.prefix) ?? false
    }

    /// The journal read start written by ``encode(_:journalStart:)``, if any.
    static func journalStart(in metadata: String?) -> Int64? {
        guard let metadata, metadata.hasPrefix(Self.prefix), let mark = metadata.range(of: Self.journalMark) else { return nil }
        return Int64(metadata[mark.upperBound...]).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Decodes metadata written by ``encode(_:)`` for a committed `offset`; anything else (another
    /// application's metadata, a damaged string) yields no finished offsets.
    static func decode(_ metadata: String?, offset: Int64) -> Set<Int64> {
        guard let metadata, metadata.hasPrefix(Self.prefix) else { return [] }
        let ranges = metadata.dropFirst(Self.prefix.count).prefix { $0 != ";" }
        var finished: Set<Int64> = []
        for range in ranges.split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int64(bounds[0]), let high = Int64(bounds[bounds.count - 1]),
                low > 0, low <= high, finished.count + Int(clamping: high - low) < Self.maxOffsets
            else { return [] }
            // Foreign or damaged metadata may name distances past the end of the offsets: refuse it whole (when
            // the highest fits, every lower one does).
            guard !offset.addingReportingOverflow(high).overflow else { return [] }
            for distance in low...high { finished.insert(offset + distance) }
        }
        return finished
    }
}
