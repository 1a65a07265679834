public import ArgumentParser
import KafkaTestSupport

extension BrokerKind: ExpressibleByArgument {}

/// Options shared by `chaos` and `soak`: the broker, topics, simulator and workers of a run.
struct RigOptions: ParsableArguments {
    @Option(help: "Broker: mock (librdkafka's mock cluster, 3 brokers, in this process) or tansu (a Tansu process).")
    var broker: BrokerKind = .mock
    @Option(help: "Input topic partitions.") var partitions = 12
    @Option(help: "Informatica simulator latency per answer, in milliseconds.") var latencyMs = 20
    @Option(help: "Every n-th input record is malformed (0: none).") var malformedEvery = 50
    @Option(help: "The worker's librdkafka session timeout, in milliseconds (the mock's join phase lasts about this minus 1 s).")
    var sessionTimeoutMs = 6000
    @Option(help: "Folder for the workers' logs (default: a new temporary folder).") var logDir: String?
    @Option(help: "The codetask-worker binary (default: the one next to this executable).") var workerBinary: String?
    @Argument(parsing: .postTerminator, help: "Extra `codetask-worker run` flags after --, e.g. -- --journal on --in-doubt fail.")
    var workerArguments: [String] = []

    /// Whether the workers start an in-doubt request again: the worker's default `--in-doubt retry`, unless the
    /// extra flags say `--in-doubt fail`. Under `retry` a Start answered later than the attempt timeout is sent
    /// again by design (and flagged `possibleDuplicate`); under `fail` it must end as an `in_doubt` failure.
    var workersRetryInDoubt: Bool {
        guard let index = self.workerArguments.lastIndex(where: { $0 == "--in-doubt" || $0.hasPrefix("--in-doubt=") }) else {
            return true
        }
        let flag = self.workerArguments[index]
        let value = flag == "--in-doubt"
            ? (index + 1 < self.workerArguments.count ? self.workerArguments[index + 1] : "") : String(flag.dropFirst("--in-doubt=".count))
        return value != "fail"
    }
}
