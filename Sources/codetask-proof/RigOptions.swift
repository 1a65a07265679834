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
}
