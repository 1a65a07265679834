import CodetaskDemo
import CodetaskWorker
import Foundation
import Testing

extension WorkerIntegration {
    /// The demo's live progress: one updating line on a terminal (a pseudo-terminal made by `script`), nothing but
    /// plain lines on a pipe, and the summary line last either way. Nested in the serialized integration suite:
    /// each demo runs a mock cluster and a simulator.
    @Suite("Demo progress")
    struct DemoProgressTests {
        private static let requests = 40

        @Test("on a pipe: no control characters; the summary table, then demo: requested=... lost=0 last")
        func pipe() throws {
            let (status, output) = try CommandRunner.run(
                ["demo", "--requests", "\(Self.requests)", "--log-level", "critical"], environment: [:], timeout: 120)
            #expect(status == 0, "\(output)")
            let controls = output.unicodeScalars.filter { $0.properties.generalCategory == .control && $0 != "\n" }
            #expect(controls.isEmpty, "control characters on a pipe: \(controls.map { $0.value })")
            #expect(!output.contains("demo: received"), "no progress line on a pipe")
            #expect(output.contains("Outcomes (read back from"), "\(output)")
            let last = output.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("demo: requested=\(Self.requests) ") && last.hasSuffix(" lost=0"), "\(last)")
        }

        @Test("on a terminal: one line rewritten in place with counts, rate, in flight and held; the summary last")
        func terminal() throws {
            let worker = try WorkerProcess.executable()
            let command = "\(worker) demo --requests \(Self.requests) --log-level critical"
            let (status, output) = try CommandRunner.run(["-qec", command, "/dev/null"], environment: ["TERM": "xterm"], timeout: 120,
                                                         executable: "/usr/bin/script")
            #expect(status == 0, "\(output)")
            let updates = output.components(separatedBy: "\r\u{1B}[K").dropFirst()
            #expect(updates.count >= 2, "the progress line was not rewritten: \(output.debugDescription)")
            for update in updates.prefix(3) {
                #expect(update.hasPrefix("demo: received "), "\(update.debugDescription)")
                for part in ["started=", "failed=", "dead-lettered=", "/s |", "in flight ", "held "] {
                    #expect(update.contains(part), "\(part) is missing from \(update.debugDescription)")
                }
            }
            let lines = output.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("Outcomes (read back from") }, "the summary table is missing")
            let last = lines.last ?? ""
            #expect(last.hasPrefix("demo: requested=\(Self.requests) ") && last.hasSuffix(" lost=0"), "\(last.debugDescription)")
        }

        @Test("the progress line: counts by outcome, rate, in flight and held, and no control character")
        func line() {
            var statistics = WorkerStatistics()
            statistics.received = 120
            statistics.started = 80
            statistics.failed = 9
            statistics.deadLettered = 11
            statistics.inFlight = 12
            statistics.held = 3
            let progress = DemoProgress(requested: 300, statistics: statistics, elapsed: .seconds(4))
            #expect(progress.outcomes == 100)
            #expect(progress.line == "demo: received 120/300 started=80 failed=9 dead-lettered=11 | 25.0/s | in flight 12 | held 3")
            #expect(!progress.line.unicodeScalars.contains { $0.properties.generalCategory == .control })
        }
    }
}
