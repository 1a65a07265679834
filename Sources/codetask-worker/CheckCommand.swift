import ArgumentParser
import CodetaskWorker
import InformaticaClient
import Kafka
import Logging

/// `codetask-worker check`: validates the configuration, connects to Kafka, judges the topics as `run` does, logs in to
/// Informatica and out again, printing each step; exit status 0 only when every step is ok.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the configuration, Kafka, the topics and the Informatica login, step by step.",
        discussion: """
            Prints `check: <step>: ok (...)` or `check: <step>: FAILED: <reason>` for each step. Exit status 0 \
            when every step is ok, 64 when the configuration is bad, 1 when another step failed. Nothing is \
            produced, consumed or started.
            """
    )

    @OptionGroup var options: RunOptions
    @Option(help: "Seconds to wait for Kafka's metadata.") var kafkaTimeout: Double = 10

    func run() async throws {
        var report = StepReport(command: "check")
        let configuration: WorkerConfiguration
        do {
            configuration = try await self.options.reader().workerConfiguration()
            report.ok("configuration", "brokers \(configuration.kafka.bootstrapServers.joined(separator: ","))")
        } catch {
            report.failure("configuration", "\(error)")
            throw ExitCode(64)
        }
        LogSetup.bootstrap(level: .error)
        let logger = Logger(label: "codetask-check")
        await Self.checkKafka(configuration, timeout: .milliseconds(Int(self.kafkaTimeout * 1000)), logger: logger, into: &report)
        await Self.checkInformatica(configuration.informatica, logger: logger, into: &report)
        if report.failed { throw ExitCode(1) }
    }

    /// Connects to Kafka and judges each topic as `run` does (``TopicPlan``): a step fails exactly where `run`
    /// would refuse to start.
    private static func checkKafka(_ configuration: WorkerConfiguration, timeout: Duration, logger: Logger, into report: inout StepReport) async {
        let plan: TopicPlan
        do {
            let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
            plan = try await TopicPlan.read(configuration, admin: admin, timeout: timeout)
            report.ok("kafka", "connected to \(configuration.kafka.bootstrapServers.joined(separator: ","))")
        } catch {
            report.failure("kafka", "\(error)")
            // The same topics, judged against nothing: only their roles and names are used.
            for entry in TopicPlan(configuration, partitions: [:]).entries {
                report.skipped("\(entry.role.rawValue) topic \(entry.topic)", "Kafka unreachable")
            }
            return
        }
        for entry in plan.entries {
            let step = "\(entry.role.rawValue) topic \(entry.topic)"
            switch entry.verdict {
            case .exists(let partitions):
                report.ok(step, "\(partitions) partitions")
            case .create(let partitions):
                report.ok(step, "missing; run creates it with \(partitions) partitions")
            case .missing:
                report.failure(step, "missing (create it, or run the worker with --create-topics)")
            case .tooFewPartitions:
                report.failure(step, plan.refusal.map { "\($0)" } ?? "fewer partitions than the input")
            case .inputMissing:
                report.skipped(step, "the input topic is missing")
            }
        }
    }

    /// Logs in once and out again.
    private static func checkInformatica(_ configuration: InformaticaConfiguration, logger: Logger, into report: inout StepReport) async {
        let client: InformaticaClient
        do {
            client = try InformaticaClient(configuration: configuration, logger: logger)
        } catch {
            report.failure("informatica login", "\(error)")
            return
        }
        do {
            try await client.logIn()
            report.ok("informatica login", "\(configuration.session.modeName) as configured")
            await client.shutdown()
            report.ok("informatica logout", configuration.session.hasLogout ? "logout sent" : "no logout in \(configuration.session.modeName) mode")
        } catch {
            report.failure("informatica login", "\(error)")
            await client.shutdown()
        }
    }
}

extension SessionMode {
    /// `identity`, `v3` or `fixed-session`, as the login-mode setting names it.
    var modeName: String {
        switch self {
        case .identityService: return "identity"
        case .v3: return "v3"
        case .fixedSession: return "fixed-session"
        }
    }

    /// Whether the mode has a logout (v3 only).
    var hasLogout: Bool {
        if case .v3 = self { return true }
        return false
    }
}
