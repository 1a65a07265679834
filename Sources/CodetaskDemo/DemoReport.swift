import CodetaskWorker
import InformaticaSimulator

/// The demo's readable report: outcomes by kind, what Informatica saw, one example event, the summary line.
struct DemoReport {
    let audit: OutputAudit
    let produced: [RecordSource: SampleRecord]
    let calls: StartCallLog
    let statistics: WorkerStatistics
    let summary: Demo.Summary
    let elapsed: Duration

    func print(to print: (String) -> Void) {
        print("")
        print("Outcomes (read back from codetask.job.events and codetask.start.dlq):")
        print("  started                    \(self.summary.started)")
        for (category, count) in self.tally(\.errorCategories, where: { !$0.isDeadLettered }) {
            print("  failed: \(category.padding(18))\(count)")
        }
        for (reason, count) in self.tally(\.deadLetterReasons, where: { _ in true }) {
            print("  dead-lettered: \(reason.padding(11))\(count)")
        }
        let mismatched = self.mismatchedExpectations()
        print("  outcome differs from the sample's expectation: \(mismatched)")
        print("")
        let attempted = self.summary.startCalls
        print("Informatica saw \(attempted) Start calls for \(self.calls.countsByTaskId.count) code tasks "
              + "(\(attempted - self.calls.countsByTaskId.count) were retries); code tasks started twice: \(self.summary.duplicateStarts)")
        print("Worker: \(self.statistics)")
        if let example = self.audit.entries.values.first(where: { $0.isStarted && $0.jobIds.count == 1 })?.lastEventJSON {
            print("Example codetask.job.started event: \(example)")
        }
        print("Elapsed: \(self.elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
        if !self.audit.lost.isEmpty { print("LOST records (no event, no dead-letter copy): \(self.audit.lost.prefix(20))") }
        print(self.summary.line)
    }

    /// Counts a list property over the expected entries matching `filter`, sorted by name.
    private func tally(_ values: KeyPath<OutputAudit.Entry, [String]>, where filter: (OutputAudit.Entry) -> Bool) -> [(String, Int)] {
        var counts: [String: Int] = [:]
        for source in self.audit.expected {
            guard let entry = self.audit.entries[source], filter(entry), let value = entry[keyPath: values].first else { continue }
            counts[value, default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }
    }

    /// Records whose outcome is not what their sample expected (a malformed one not dead-lettered with its
    /// reason, a valid one dead-lettered).
    private func mismatchedExpectations() -> Int {
        self.produced.reduce(0) { total, element in
            let entry = self.audit.entries[element.key]
            switch element.value.expectation {
            case .deadLetter(let reason): return total + (entry?.deadLetterReasons.first == reason ? 0 : 1)
            case .start(let codeTaskId): return total + (entry?.codeTaskId == codeTaskId && entry?.isDeadLettered == false ? 0 : 1)
            }
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        self.count >= width ? self + " " : self + String(repeating: " ", count: width - self.count)
    }
}
