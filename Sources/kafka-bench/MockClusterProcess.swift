import Foundation
import Kafka
import Logging

/// librdkafka's mock cluster in a child process of its own (this executable with `--serve-mock-cluster`),
/// so that neither client shares a process, a heap or CPU accounting with the brokers: kcat runs in its
/// own process, and so does the cluster.
final class MockClusterProcess {
    /// The cluster's bootstrap servers.
    let bootstrapServers: String
    private let process: Process
    private let keepAlive: Pipe

    /// Starts the child, which creates `topics` with `partitions` partitions each, and waits for its address.
    init(topics: [String], partitions: Int, timeout: Duration) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--serve-mock-cluster", "--partitions", String(partitions),
                             "--mock-topics", topics.joined(separator: ",")]
        keepAlive = Pipe()
        let output = Pipe()
        process.standardInput = keepAlive
        process.standardOutput = output
        try process.run()
        // The child prints one line, its bootstrap servers, once every topic exists.
        let deadline = Deadline(limit: timeout)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            try deadline.check("the mock cluster process did not report its address")
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchFailure("the mock cluster process exited before starting") }
            line.append(chunk)
        }
        bootstrapServers = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        // Closing its standard input tells the child to end; it is killed if it does not.
        try? keepAlive.fileHandleForWriting.close()
        for _ in 0..<250 where process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's side: runs the cluster until standard input closes.
    static func serve(topics: [String], partitions: Int) throws {
        var logger = Logger(label: "kafka-bench.mock")
        logger.logLevel = .error
        let cluster = try KafkaMockCluster(brokers: 3, logger: logger)
        for topic in topics { try cluster.createTopic(topic, partitions: partitions) }
        BenchOutput.result(cluster.bootstrapServers)
        while !FileHandle.standardInput.availableData.isEmpty {}
    }
}
