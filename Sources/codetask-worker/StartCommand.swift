import ArgumentParser
import InformaticaClient
import Logging

/// `codetask-worker start --code-task-id ID [--wait]`: one Start call with the worker's sessions and retry policy,
/// the shell equivalent of Informatica's RunAJob utility for code tasks.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start one code task in Informatica and print the job id and Spark metadata.",
        discussion: """
            Uses the same login, retry policy, rate limit and circuit breaker as the worker (the Kafka settings \
            are not needed). With --wait, polls the job's status until it reaches a terminal state. Exit status \
            0 when the task started (and, with --wait, the job succeeded), 1 otherwise, 64 for a bad setting.
            """
    )

    @OptionGroup var options: RunOptions
    @Option(help: "The code task to start.") var codeTaskId: String
    @Option(help: "A W3C traceparent to send with the call.") var traceparent: String?
    @Flag(help: "Follow the job's status until it ends.") var wait = false
    @Option(help: "Seconds between status calls with --wait.") var pollInterval: Double = 2
    @Option(help: "Seconds to wait at most for the job to end with --wait.") var waitTimeout: Double = 3_600

    func validate() throws {
        guard (0.05...3_600).contains(self.pollInterval) else { throw ValidationError("--poll-interval: must be from 0.05 to 3600") }
        guard (0.1...86_400).contains(self.waitTimeout) else { throw ValidationError("--wait-timeout: must be from 0.1 to 86400") }
        if let traceparent, !InformaticaClient.isValidTraceparent(traceparent) {
            throw ValidationError("--traceparent: not a W3C trace context (00-<32 hex>-<16 hex>-<2 hex>)")
        }
    }

    func run() async throws {
        let settings = try await self.options.reader()
        let configuration = try settings.informaticaConfiguration()
        LogSetup.bootstrap(level: try settings.text(Settings.logLevel) == nil ? .warning : settings.logLevel())
        let client = try InformaticaClient(configuration: configuration, logger: Logger(label: "codetask-start"))
        let succeeded = await self.startAndFollow(client)
        await client.shutdown()
        if !succeeded { throw ExitCode(1) }
    }

    /// Starts the task, prints what Informatica answered, and follows the job with `--wait`.
    /// - Returns: Whether the task started (and, with `--wait`, its job succeeded).
    private func startAndFollow(_ client: InformaticaClient) async -> Bool {
        switch await client.startCodeTask(codeTaskId: self.codeTaskId, traceparent: self.traceparent) {
        case .failed(let failure):
            print("start: code task \(self.codeTaskId) not started: \(failure)")
            return false
        case .started(let started):
            print("start: code task \(self.codeTaskId) started: jobId=\(started.jobId) attempts=\(started.attempts.count)")
            for (name, value) in Self.sparkLines(started) { print("start: \(name)=\(value)") }
            guard self.wait else { return true }
            return await JobFollower(client: client, jobId: started.jobId, pollInterval: self.pollInterval, timeout: self.waitTimeout).follow()
        }
    }

    /// The Spark metadata of the answer, as `name=value` pairs, in a fixed order.
    private static func sparkLines(_ started: CodeTaskStarted) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let name = started.codeTaskInstanceName { lines.append(("codeTaskInstanceName", name)) }
        if let summary = started.summary { lines.append(("summary", summary)) }
        guard let spark = started.spark else { return lines }
        let fields: [(String, String?)] = [
            ("agentGroupId", spark.agentGroupId), ("clusterConfigId", spark.clusterConfigId), ("logLevel", spark.logLevel),
            ("startRunTime", spark.startRunTime), ("submitTime", spark.submitTime),
        ]
        return lines + fields.compactMap { name, value in value.map { ("spark.\(name)", $0) } }
    }
}
