import ArgumentParser
import Foundation
import InformaticaSimulator
import Logging

/// Runs the Informatica simulator until interrupted.
@main
struct IICSSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iics-sim",
        abstract: "A fake Informatica (IICS) service: logins, CodeTask Start and JobStatus, with fault injection.",
        discussion: """
            Prints the address it listens on. Change faults at run time with
            PUT /admin/faults (a FaultConfiguration JSON document), PUT /admin/task-rules,
            POST /admin/sessions/expire; read GET /admin/start-calls and GET /admin/stats.
            """
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Option(help: "The user name that can log in.") var username = "sim-user"
    @Option(help: "Its password.") var password = "sim-password"
    @Option(help: "Seed of the fault and latency draws.") var seed: UInt64 = 1
    @Option(help: "Added latency: none, fixed:MS, uniform:MIN-MAX, exponential:MEAN.") var latency = "none"
    @Option(name: .customLong("error-rate"), help: "STATUS=RATE for Start calls, e.g. 503=0.1; repeatable.") var errorRates: [String] = []
    @Option(help: "Retry-After seconds on 429 and 503 answers.") var retryAfter: Int?
    @Option(help: "Probability of dropping the connection on Start and JobStatus.") var dropRate = 0.0
    @Option(help: "Sessions expire this many seconds after login.") var sessionLifetime: Double?
    @Option(help: "Sessions expire after this many calls.") var sessionMaxCalls: Int?
    @Option(help: "Status for a rejected session: 401 or 403.") var invalidSessionStatus = 401
    @Option(name: .customLong("unknown-task"), help: "A code task id that does not exist (404); repeatable.") var unknownTasks: [String] =
        []
    @Option(name: .customLong("unknown-prefix"), help: "An id prefix that does not exist (404); repeatable.") var unknownPrefixes:
        [String] = []
    @Option(help: "Length of generated session ids (JWT-style ids reach 16000).") var sessionIdLength = 22
    @Option(help: "Seconds a job stays QUEUED.") var jobQueued = 2.0
    @Option(help: "Seconds a job stays RUNNING.") var jobRunning = 5.0
    @Option(help: "Error body shape for CodeTask answers: v2 or v3.") var errorStyle = "v2"
    @Option(
        name: .customLong("broken-answer"),
        help: "ID=KIND: Start for ID starts the job and the answer breaks (short_body, reset_mid_body, malformed_chunk, huge_body, many_headers, slow_body, stall_after_request); repeatable."
    )
    var brokenAnswers: [String] = []
    @Flag(help: "Do not serve the /admin endpoints.") var noAdmin = false

    func run() async throws {
        var configuration = SimulatorConfiguration()
        configuration.host = self.host
        configuration.port = self.port
        configuration.username = self.username
        configuration.password = self.password
        configuration.seed = self.seed
        configuration.faults = try self.faults()
        configuration.sessionIdLength = self.sessionIdLength
        configuration.jobQueuedSeconds = self.jobQueued
        configuration.jobRunningSeconds = self.jobRunning
        configuration.adminEnabled = !self.noAdmin
        configuration.taskRules = try self.brokenAnswers.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let kind = BrokenAnswer(rawValue: String(parts[1])) else {
                let kinds = BrokenAnswer.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--broken-answer must be ID=KIND with KIND one of \(kinds), got \(entry)")
            }
            return TaskRule(id: String(parts[0]), brokenAnswer: kind)
        }
        guard let style = SimulatorConfiguration.ErrorStyle(rawValue: self.errorStyle) else {
            throw ValidationError("--error-style must be v2 or v3")
        }
        configuration.errorStyle = style
        var logger = Logger(label: "iics-sim")
        logger.logLevel = .info
        let simulator = try await InformaticaSimulator.start(configuration, logger: logger)
        FileHandle.standardOutput.write(Data("iics-sim listening on \(simulator.baseURL)\n".utf8))
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        let sources = [SIGINT, SIGTERM].map { signalNumber -> any DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { stop.finish() }
            source.resume()
            return source
        }
        for await _ in stopped {}
        sources.forEach { $0.cancel() }
        try await simulator.shutdown()
    }

    private func faults() throws -> FaultConfiguration {
        var faults = FaultConfiguration()
        guard let latency = LatencyDistribution(argument: self.latency) else {
            throw ValidationError("--latency must be none, fixed:MS, uniform:MIN-MAX or exponential:MEAN")
        }
        faults.latency = latency
        for entry in self.errorRates {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let status = Int(parts[0]), (400...599).contains(status), let rate = Double(parts[1]),
                (0...1).contains(rate)
            else {
                throw ValidationError("--error-rate must be STATUS=RATE with a 4xx/5xx status and a rate in 0...1, got \(entry)")
            }
            faults.startErrorRates[status] = rate
        }
        guard faults.startErrorRates.values.reduce(0, +) <= 1 else { throw ValidationError("--error-rate values add up to more than 1") }
        guard (0...1).contains(self.dropRate) else { throw ValidationError("--drop-rate must be in 0...1") }
        guard [401, 403].contains(self.invalidSessionStatus) else { throw ValidationError("--invalid-session-status must be 401 or 403") }
        faults.retryAfterSeconds = self.retryAfter
        faults.dropConnectionRate = self.dropRate
        faults.sessionLifetimeSeconds = self.sessionLifetime
        faults.sessionMaxCalls = self.sessionMaxCalls
        faults.invalidSessionStatus = self.invalidSessionStatus
        faults.unknownTaskIds = Set(self.unknownTasks)
        faults.unknownTaskIdPrefixes = self.unknownPrefixes
        return faults
    }
}
