import CodetaskWorker
import Foundation
import KafkaTestSupport
import Testing

extension WorkerIntegration {
    /// `check`, `start` and `send` as an operator runs them: the executable against the mock cluster and the
    /// simulator, its output read back.
    @Suite("Operator commands")
    struct OperatorCommandTests {
        /// The harness's settings as variables, as an operator would export them.
        private static func environment(_ harness: WorkerHarness) -> [String: String] {
            [
                "CODETASK_BROKERS": harness.broker.bootstrapServers, "CODETASK_GROUP": harness.group,
                "CODETASK_INPUT_TOPIC": harness.topics.input, "CODETASK_OUTPUT_TOPIC": harness.topics.output,
                "CODETASK_DLQ_TOPIC": harness.topics.deadLetter, "CODETASK_JOURNAL_TOPIC": harness.topics.journal,
                "CODETASK_LOGIN_MODE": "v3",
                "CODETASK_LOGIN_URL": harness.simulator.baseURL, "CODETASK_USERNAME": harness.simulator.configuration.username,
                "CODETASK_PASSWORD": harness.simulator.configuration.password,
            ]
        }

        @Test("check: every step ok against the mock cluster and the simulator; logged in and out once")
        func checkAllOk() async throws {
            try await WorkerHarness.with(.mock) { harness in
                let (status, output) = try CommandRunner.run(["check"], environment: Self.environment(harness))
                #expect(status == 0, "\(output)")
                for step in ["configuration: ok", "kafka: ok", "input topic \(harness.topics.input): ok (6 partitions)",
                             "output topic \(harness.topics.output): ok (3 partitions)",
                             "dead-letter topic \(harness.topics.deadLetter): ok (1 partitions)",
                             "journal topic \(harness.topics.journal): ok (6 partitions)", "informatica login: ok",
                             "informatica logout: ok"] {
                    #expect(output.contains("check: \(step)"), "\(step) is missing from \(output)")
                }
                #expect(!output.contains("FAILED"), "\(output)")
                let stats = harness.simulator.stats
                #expect(stats.logins == 1 && stats.logouts == 1, "logins \(stats.logins), logouts \(stats.logouts)")
                #expect(!output.contains(harness.simulator.configuration.password), "the password was printed")
            }
        }

        @Test("check: a missing topic is named as the failing step; exit status 1")
        func checkMissingTopic() async throws {
            try await WorkerHarness.with(.mock) { harness in
                let missing = uniqueName("absent-dlq")
                let (status, output) = try CommandRunner.run(
                    ["check", "--dlq-topic", missing], environment: Self.environment(harness))
                #expect(status == 1, "\(output)")
                #expect(output.contains("check: dead-letter topic \(missing): FAILED: missing"), "\(output)")
                #expect(output.contains("check: input topic \(harness.topics.input): ok"), "\(output)")
                #expect(output.contains("check: informatica login: ok"), "the other steps still run: \(output)")
            }
        }

        @Test("check fails exactly where run refuses: a journal topic with fewer partitions than the input; a missing journal is fine for both")
        func checkAgreesWithRunOnTheJournal() async throws {
            try await WorkerHarness.with(.mock) { harness in
                let small = try await harness.broker.createTopic(prefix: "small-journal", partitions: 2)
                var environment = Self.environment(harness)
                environment["CODETASK_JOURNAL_TOPIC"] = small
                let refusal = "the attempt journal topic \(small) has 2 partition(s) but the input has 6"
                let (checkStatus, checkOutput) = try CommandRunner.run(["check"], environment: environment)
                #expect(checkStatus == 1, "\(checkOutput)")
                #expect(checkOutput.contains("check: journal topic \(small): FAILED: \(refusal)"), "\(checkOutput)")
                let (runStatus, runOutput) = try CommandRunner.run(["run", "--http-address", "off"], environment: environment)
                #expect(runStatus != 0 && runOutput.contains(refusal), "run did not refuse alike: \(runStatus) \(runOutput)")
                // A journal topic that does not exist yet: run creates it, so check passes it.
                let absent = uniqueName("absent-journal")
                environment["CODETASK_JOURNAL_TOPIC"] = absent
                let (status, output) = try CommandRunner.run(["check"], environment: environment)
                #expect(status == 0 && output.contains("check: journal topic \(absent): ok (missing; run creates it with 6 partitions)"),
                        "\(output)")
            }
        }

        @Test("check: a wrong password fails the login step, naming it and printing no password")
        func checkWrongPassword() async throws {
            try await WorkerHarness.with(.mock) { harness in
                let wrong = "wrong-\(UUID().uuidString)"
                var environment = Self.environment(harness)
                environment["CODETASK_PASSWORD"] = wrong
                let (status, output) = try CommandRunner.run(["check"], environment: environment)
                #expect(status == 1, "\(output)")
                #expect(output.contains("check: informatica login: FAILED"), "\(output)")
                #expect(output.contains("check: kafka: ok"), "\(output)")
                #expect(!output.contains(wrong) && !output.contains(harness.simulator.configuration.password), "a password was printed")
            }
        }

        @Test("check: a bad setting fails the configuration step with exit status 64")
        func checkBadConfiguration() async throws {
            let environment = [
                "CODETASK_BROKERS": "127.0.0.1:1", "CODETASK_LOGIN_URL": "http://127.0.0.1:1", "CODETASK_USERNAME": "u",
                "CODETASK_PASSWORD": "p", "CODETASK_MAX_IN_FLIGHT": "x",
            ]
            let (status, output) = try CommandRunner.run(["check"], environment: environment)
            #expect(status == 64, "\(output)")
            #expect(output.contains("check: configuration: FAILED: --max-in-flight / CODETASK_MAX_IN_FLIGHT"), "\(output)")
        }

        @Test("start --wait: prints the job id and Spark metadata, then follows the job to SUCCEEDED")
        func startAndWait() async throws {
            try await WorkerHarness.with(.mock, simulator: { $0.jobQueuedSeconds = 0.3; $0.jobRunningSeconds = 0.5 }) { harness in
                let (status, output) = try CommandRunner.run(
                    ["start", "--code-task-id", "ops-task-1", "--wait", "--poll-interval", "0.1", "--wait-timeout", "20"],
                    environment: Self.environment(harness))
                #expect(status == 0, "\(output)")
                #expect(output.contains("start: code task ops-task-1 started: jobId="), "\(output)")
                #expect(output.contains("start: spark.agentGroupId="), "\(output)")
                let states = output.split(separator: "\n").filter { $0.contains("start: job ") }.map { String($0.split(separator: " ").last!) }
                #expect(states.last == "SUCCEEDED", "\(output)")
                #expect(states.contains("RUNNING"), "the job's states were followed: \(output)")
                #expect(harness.simulator.startCalls.calls.count == 1)
            }
        }

        @Test("start: an unknown task fails with exit status 1 and the reason")
        func startUnknownTask() async throws {
            try await WorkerHarness.with(.mock, simulator: { $0.faults.unknownTaskIdPrefixes = ["missing-"] }) { harness in
                let (status, output) = try CommandRunner.run(["start", "--code-task-id", "missing-1"], environment: Self.environment(harness))
                #expect(status == 1, "\(output)")
                #expect(output.contains("start: code task missing-1 not started:"), "\(output)")
            }
        }

        @Test("send: a well-formed request that a worker then starts, with its request id and context")
        func sendThenRun() async throws {
            try await WorkerHarness.with(.mock) { harness in
                let (status, output) = try CommandRunner.run(
                    ["send", "--code-task-id", "sent-task-1", "--request-id", "req-sent-1", "--context", #"{"ticket":"OPS-1"}"#],
                    environment: Self.environment(harness))
                #expect(status == 0, "\(output)")
                let words = output.split(whereSeparator: \.isWhitespace)
                guard let partition = words.firstIndex(of: "partition").flatMap({ Int32(words[$0 + 1]) }),
                      let offset = words.firstIndex(of: "offset").flatMap({ Int64(words[$0 + 1]) })
                else {
                    Issue.record("no partition and offset in \(output)")
                    return
                }
                let source = RecordSource(topic: harness.topics.input, partition: partition, offset: offset)
                let running = try harness.startWorker()
                let audit = try await harness.audit([source], timeout: .seconds(60))
                try await running.stop()
                let entry = try #require(audit.entries[source])
                #expect(entry.isStarted && entry.codeTaskId == "sent-task-1", "\(entry)")
                #expect(entry.eventIds.first == "req-sent-1/codetask.job.started", "\(entry.eventIds)")
                #expect(entry.lastEventJSON?.contains(#"{"ticket":"OPS-1"}"#) == true, "\(entry.lastEventJSON ?? "")")
            }
        }

        @Test("send: a request the worker would refuse is refused before it is produced")
        func sendRefusesMalformed() throws {
            let (status, output) = try CommandRunner.run(
                ["send", "--code-task-id", "bad id!", "--brokers", "127.0.0.1:1"], environment: [:])
            #expect(status == 64, "\(output)")
            #expect(output.contains("the worker would refuse this request"), "\(output)")
            let context = try CommandRunner.run(
                ["send", "--code-task-id", "ok-1", "--context", "[1]", "--brokers", "127.0.0.1:1"], environment: [:])
            #expect(context.status == 64, "\(context.output)")
        }
    }
}
