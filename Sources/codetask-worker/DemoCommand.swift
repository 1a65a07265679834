import ArgumentParser
import CodetaskDemo
import Logging

/// `codetask-worker demo`: the worker on an embedded default, with no external service.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the worker against an in-process Kafka mock cluster and Informatica simulator with faults.",
        discussion: """
            On a terminal, one line updates in place while the worker runs (requests received, outcomes, \
            rate, calls in flight, held requests); on a pipe there is no progress line and no control \
            character. Then the summary table; the last line is `demo: requested=... lost=...`. Exit status 0 \
            only when every request has an event or a dead-letter copy (lost=0).
            """
    )

    @Option(help: "Requests to produce.") var requests = 300
    @Option(help: "Log level of the worker's own log (stderr).") var logLevel = "warning"

    func run() async throws {
        guard (1...100_000).contains(self.requests) else { throw ValidationError("--requests: must be from 1 to 100000") }
        guard let level = Logger.Level(rawValue: self.logLevel) else { throw ValidationError("--log-level: '\(self.logLevel)' is not a level") }
        LogSetup.bootstrap(level: level)
        var options = Demo.Options()
        options.requests = self.requests
        let status = ProgressLine()
        let demo = Demo(options: options, logger: Logger(label: "codetask-demo"))
        let showProgress: @Sendable (DemoProgress) -> Void = { (progress: DemoProgress) in status.update(progress.line) }
        let progress = status.isTerminal ? showProgress : nil
        let printLine: @Sendable (String) -> Void = { text in status.print(text) }
        let summary = try await demo.run(progress: progress, print: printLine)
        if summary.lost > 0 { throw ExitCode(1) }
    }
}
