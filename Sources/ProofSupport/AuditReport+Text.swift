import CodetaskWorker
import Foundation
extension AuditReport {
    /// The report as `audit: name: value` lines, one a figure, then the verdict.
    public var lines: [String] {
        let reasons = self.deadLetteredByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let lag = self.lagByPartition.sorted { $0.key < $1.key }.map { "p\($0.key)=\($0.value)" }.joined(separator: " ")
        var lines = [
            "input records: \(self.inputRecords) (valid \(self.validRequests), malformed \(self.malformedRecords))",
            "terminal events: \(self.terminalEvents) (requests started \(self.started), failed \(self.failed))",
            "lost (valid, no terminal event): \(self.lost.count)\(Self.examples(self.lost))",
            "duplicate events (same ce_id): \(self.duplicateEvents)"
                + (self.duplicateEventIds.isEmpty ? "" : " (e.g. \(self.duplicateEventIds.joined(separator: ", ")))"),
            "requests with a started and a failed event: \(self.startedAndFailed.count)\(Self.examples(self.startedAndFailed))",
        ]
        if let calls = self.startCalls, let twice = self.startedMoreThanOnce {
            let unflagged = self.startedMoreThanOnceUnflagged ?? []
            lines.append("Start calls: \(calls); code tasks started more than once: \(twice.count) (extra starts \(self.extraStarts ?? 0)); "
                + "of them with no started event flagged possibleDuplicate: \(unflagged.count)"
                + (unflagged.isEmpty ? "" : " (e.g. \(unflagged.prefix(5).joined(separator: ", ")))"))
        } else {
            lines.append("code tasks started more than once: unknown (no record of Start calls)")
        }
        lines += [
            "dead-lettered by reason: \(reasons.isEmpty ? "none" : reasons)",
            "malformed not dead-lettered: \(self.malformedNotDeadLettered.count)\(Self.examples(self.malformedNotDeadLettered))",
            "final lag per partition: \(lag.isEmpty ? "none" : lag) (total \(self.lagByPartition.values.reduce(0, +)))",
            "largest end-to-end latency: \(self.largestEndToEndMilliseconds.map { String(format: "%.3f s", Double($0) / 1000) } ?? "none")",
        ]
        if !self.partitionsNotFromZero.isEmpty {
            lines.append("records deleted by the broker before the audit: \(self.partitionsNotFromZero.joined(separator: ", "))")
        }
        lines.append(
            !self.partitionsNotFromZero.isEmpty ? "verdict: INCOMPLETE: the broker deleted records, so losses cannot be ruled out"
                : self.isLossFree ? "verdict: nothing lost" : "verdict: LOSS: \(self.lost.count) valid requests have no terminal event")
        return lines.map { "audit: " + $0 }
    }

    private static func examples(_ sources: [RecordSource]) -> String {
        sources.isEmpty ? "" : " (e.g. \(sources.prefix(5).map(\.description).joined(separator: ", ")))"
    }
}
