import Foundation

/// Produces and consumes with Debian's `kcat` (which links the same librdkafka) on the same cluster.
///
/// Each timing covers the whole `kcat` process, from launch to exit: process start-up (a few
/// milliseconds), connecting, the work, and the final flush or group leave.
struct KcatWorkload {
    let executable = "/usr/bin/kcat"
    let brokers: String
    let count: Int
    let size: Int
    /// Producer properties that decide how records are spread over partitions.
    let partitioning: [String: String]
    let timeout: Duration
    /// The records to produce, one a line (see ``writeInput(count:size:)``).
    let input: URL

    /// Writes `count` lines of `size` bytes to a temporary file and syncs it to disk, so that neither
    /// writing it nor its write-back falls into a timed step. The caller removes the file.
    static func writeInput(count: Int, size: Int) throws -> URL {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bench-\(getpid()).txt")
        let line = String(repeating: "x", count: size) + "\n"
        try String(repeating: line, count: count).write(to: input, atomically: false, encoding: .utf8)
        let file = try FileHandle(forUpdating: input)
        defer { try? file.close() }
        try file.synchronize()
        return input
    }

    /// Produces the input's records, idempotent (`acks=all`) like the module's producer.
    /// - Returns: the seconds the kcat process took.
    func produce(topic: String) async throws -> Double {
        let properties = partitioning.merging(["enable.idempotence": "true", "acks": "all", "linger.ms": "5",
                                               "queue.buffering.max.messages": "1000000"]) { _, new in new }
        return try await run("kcat produce", ["-b", brokers, "-P", "-t", topic] + Self.settings(properties)
                                             + ["-l", input.path])
    }

    /// Consumes the topic from the beginning as a member of a new consumer group, like the module's
    /// consumer, and exits after exactly `count` records (it waits, and times out, if fewer exist).
    /// - Returns: the seconds the kcat process took.
    func consume(topic: String, group: String) async throws -> Double {
        let properties = ConsumerPrefetch.properties.merging(["auto.offset.reset": "earliest"]) { _, new in new }
        return try await run("kcat consume", ["-b", brokers, "-G", group] + Self.settings(properties)
                                             + ["-c", String(count), "-q", "-f", "%s\n", topic])
    }

    /// librdkafka properties as kcat `-X` arguments.
    private static func settings(_ properties: [String: String]) -> [String] {
        properties.sorted { $0.key < $1.key }.flatMap { ["-X", "\($0.key)=\($0.value)"] }
    }

    /// Runs kcat with its output discarded, killing it and failing if it outlives `timeout`.
    private func run(_ what: String, _ arguments: [String]) async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        BenchOutput.progress("\(what): starting")
        let deadline = Deadline(limit: timeout)
        try process.run()
        var nextNote = Duration.seconds(10)
        // Polled rather than `waitUntilExit()`, which spins a run loop at full CPU on Linux and would steal
        // a core from kcat and the mock cluster.
        while process.isRunning {
            if deadline.hasPassed {
                process.terminate()
                try? await Task.sleep(for: .seconds(1))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw BenchFailure("\(what): kcat was still running after \(timeout) and was killed "
                                   + "(a mock partition keeps only about 5 MiB: are there enough partitions?)")
            }
            if ContinuousClock.now - deadline.start > nextNote {
                BenchOutput.progress("\(what): still running after \(nextNote)")
                nextNote += .seconds(10)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let elapsed = seconds(since: deadline.start)
        guard process.terminationStatus == 0 else {
            throw BenchFailure("\(what): kcat exited with status \(process.terminationStatus)")
        }
        BenchOutput.progress(String(format: "%@: done in %.2f s", what, elapsed))
        return elapsed
    }
}
