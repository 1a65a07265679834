import Foundation
import ProofSupport

extension ChaosRun {
    /// Prints the auditor's report, the chaos figures and one line per target.
    /// - Returns: Whether every target held.
    func report(audit: AuditReport, attribution: DuplicateAttribution, drained: Bool, producedAll: Bool, produced: Int) -> Bool {
        audit.lines.forEach(emit)
        for (kill, result) in zip(self.kills, attribution.kills) {
            emit(String(format: "chaos: kill -9 of %@ at %.1f s: victim's Start calls in flight %@, its records pending %@; ",
                         kill.victim, kill.at, Self.figure(kill.inFlight), Self.figure(kill.pending))
                + "group's started and uncommitted \(result.uncommittedStarted.map(String.init) ?? "unknown"); "
                + "started again after it \(result.startedAgain) (of them committed at the kill: \(result.startedAgainThoughCommitted), "
                + "answered before it: \(result.startedAgainThoughAnswered))")
        }
        // Under --in-doubt retry a Start answered after the attempt timeout is sent again by design; under fail it
        // must not be.
        let retriesInDoubt = self.command.rig.workersRetryInDoubt
        let unexpected = (retriesInDoubt ? 0 : attribution.afterSlowAnswers) + attribution.unexplained
        emit("chaos: double starts besides kill -9: \(attribution.afterSlowAnswers + attribution.unexplained) (after answers slower "
            + "than the attempt timeout \(attribution.afterSlowAnswers)\(retriesInDoubt ? ", started again by --in-doubt retry" : ""), "
            + "no kill or slow answer to explain them \(attribution.unexplained)"
            + (attribution.unexplainedExamples.isEmpty ? "" : ", e.g. \(attribution.unexplainedExamples.joined(separator: ", "))") + ")")
        if !attribution.unexplainedAfter.isEmpty {
            emit("chaos: unexplained double starts by the last fault before them: "
                + attribution.unexplainedAfter.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for stop in self.stops { emit(String(format: "chaos: stop of %@: %.1f s, %@", stop.worker, stop.seconds, stop.ending)) }
        let lag = audit.lagByPartition.values.reduce(0, +)
        let targets: [(String, Bool)] = [
            ("every request produced, and read back by the auditor (\(audit.inputRecords))", producedAll && audit.inputRecords == produced),
            ("lost = 0 (\(audit.lost.count)), every partition read from offset 0", audit.isLossFree),
            ("every malformed record dead-lettered (\(audit.malformedNotDeadLettered.count) not)", audit.malformedNotDeadLettered.isEmpty),
            ("everything committed, final lag 0 (\(lag))", drained && lag == 0),
            ("no crash (\(self.crashes.count)\(self.crashes.isEmpty ? "" : ": " + self.crashes.joined(separator: "; ")))", self.crashes.isEmpty),
            ("every stop exit 0 within grace + 5 s (\(self.stops.count { !$0.clean }) not)", self.stops.allSatisfy(\.clean)),
            ("double starts besides kill -9\(retriesInDoubt ? " and in-doubt retries" : "") ≤ \(self.command.allowDoubleStarts) (\(unexpected))",
             unexpected <= self.command.allowDoubleStarts),
            ("every code task started more than once flagged possibleDuplicate (\(audit.startedMoreThanOnceUnflagged?.count ?? 0) not)",
             audit.startedMoreThanOnceUnflagged?.isEmpty ?? false),
            ("each kill -9 started again at most its started-and-uncommitted requests", attribution.kills.allSatisfy(\.withinBound)),
            ("each kill -9 started again only requests on the wire at the kill, none answered before it "
                + "(\(attribution.kills.reduce(0) { $0 + $1.startedAgainThoughAnswered }))",
             attribution.kills.allSatisfy { $0.startedAgainThoughAnswered == 0 }),
            // Under fail, a request whose Start was on the wire at a kill is not started again: it ends in_doubt.
            ("\(retriesInDoubt ? "" : "--in-doubt fail: no kill -9 started anything again (\(attribution.kills.reduce(0) { $0 + $1.startedAgain })); ")"
                + "no request with two different outcomes, started and failed (\(audit.startedAndFailed.count))",
             (retriesInDoubt || attribution.kills.allSatisfy { $0.startedAgain == 0 }) && audit.startedAndFailed.isEmpty),
        ]
        for (name, held) in targets { emit("chaos: target \(held ? "met" : "MISSED"): \(name)") }
        let passed = targets.allSatisfy(\.1)
        emit("chaos: \(passed ? "PASSED" : "FAILED")")
        return passed
    }

    private static func figure(_ value: Double?) -> String { value.map { String(Int($0)) } ?? "?" }
}
