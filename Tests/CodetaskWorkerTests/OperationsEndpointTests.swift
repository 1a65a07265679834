import AsyncHTTPClient
import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import InformaticaSimulator
import KafkaTestSupport
import Logging
import OperationsEndpoint
import Prometheus
import ServiceLifecycle
import Testing

extension WorkerIntegration {
@Suite("Operations endpoint: metrics, health and readiness", .serialized)
struct OperationsEndpointTests {
    @Test("a demo run scraped during and after: counters match the read-back audit and the simulator, lag goes to 0, histograms count every Start")
    func metricsMatchTheAudit() async throws {
        let registry = PrometheusCollectorRegistry()
        let health = WorkerHealth(unfinishedAgeLimit: .seconds(300))
        var options = Demo.Options()
        options.requests = 300
        options.metrics = PrometheusMetricsFactory(registry: registry)
        options.health = health
        let endpoint = try await ServedEndpoint.start(registry: registry, health: health)
        let demo = Task { try await Demo(options: options, logger: Logger(label: "metrics-test")).run { _ in } }
        // Scraped while the demo runs: at least one scrape sees records consumed and the worker ready.
        var sawProgress = false
        var sawReady = false
        // Bounded: a demo that ends before a scrape saw it working fails the expectation below, never hangs.
        let scrapeUntil = ContinuousClock.now + .seconds(60)
        while !(sawProgress && sawReady), ContinuousClock.now < scrapeUntil {
            if let metrics = try? await endpoint.metrics(), metrics.sum("codetask_worker_records_consumed_total") > 0 {
                sawProgress = true
                if try await endpoint.status("/readyz") == 200 { sawReady = true }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let summary = try await demo.value
        let metrics = try await endpoint.metrics()
        print("[worker-tests] metrics after the demo: \(summary.line), start calls=\(summary.startCalls)")
        #expect(summary.lost == 0)
        #expect(metrics.sum("codetask_worker_records_consumed_total") == Double(summary.requested))
        #expect(metrics.sum("codetask_worker_events_published_total", ["type": "started"]) == Double(summary.started))
        #expect(metrics.sum("codetask_worker_dead_letters_total") == Double(summary.deadLettered))
        #expect(metrics.sum("codetask_worker_start_calls_total") == Double(summary.startCalls), "every Start the simulator saw is counted once")
        #expect(metrics.sum("codetask_worker_start_calls_total", ["delivery": "accepted"]) == Double(summary.started))
        let failedEvents = metrics.sum("codetask_worker_events_published_total", ["type": "failed"])
        #expect(metrics.sum("codetask_worker_start_failures_total") == failedEvents)
        let rejected = metrics.sum("codetask_worker_start_failures_total", ["category": "invalid_request"])
        let startOutcomes = Double(summary.started) + failedEvents - rejected
        #expect(metrics.sum("codetask_worker_start_duration_seconds_count") == startOutcomes)
        #expect(metrics.sum("codetask_worker_end_to_end_duration_seconds_count") == startOutcomes)
        let lags = metrics.samples("codetask_worker_consumer_lag")
        #expect(!lags.isEmpty)
        #expect(lags.allSatisfy { $0.value == 0 }, "lag after the run: \(lags)")
        #expect(metrics.sum("codetask_worker_start_calls_in_flight") == 0)
        #expect(metrics.sum("codetask_worker_logins_total", ["result": "succeeded"]) >= 1)
        #expect(metrics.sum("codetask_worker_logins_total", ["result": "failed"]) == 0)
        #expect(Set(metrics.samples("codetask_worker_partitions_paused").compactMap { $0.labels["reason"] })
            == ["circuit_breaker", "back_pressure", "stopping"])
        #expect(sawProgress && sawReady)
        // The worker stopped: alive, not ready (it says why).
        #expect(try await endpoint.status("/healthz") == 200)
        let ready = try await endpoint.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains(#""running":{"ok":false,"detail":"stopped"}"#), "\(ready.body)")
        try await endpoint.stop()
    }

    @Test("readiness fails while the breaker is open and while the oldest unfinished record is past the limit; liveness fails when the loop stalls")
    func healthChecks() async throws {
        let health = WorkerHealth(unfinishedAgeLimit: .seconds(60))
        let now = ContinuousClock.now
        let endpoint = try await ServedEndpoint.start(registry: PrometheusCollectorRegistry(), health: health)
        health.recordLoop(now: now, oldestUnfinishedAge: .seconds(1), breakerOpen: false)
        #expect(!health.readiness(now: now).ok, "the brokers have not been asked yet")
        health.recordKafka(answered: true, detail: "partition leaders answered")
        #expect(health.readiness(now: now).ok)
        #expect(try await endpoint.status("/readyz") == 200)
        health.recordKafka(answered: false, detail: "end offsets not answered within 2 s")
        let brokersAway = try await endpoint.get("/readyz")
        #expect(brokersAway.status == 503)
        #expect(brokersAway.body.contains(#""kafka":{"ok":false"#), "\(brokersAway.body)")
        health.recordKafka(answered: true, detail: "partition leaders answered")
        health.recordLoop(now: now, oldestUnfinishedAge: .seconds(1), breakerOpen: true)
        let breakerOpen = try await endpoint.get("/readyz")
        #expect(breakerOpen.status == 503)
        #expect(breakerOpen.body.contains(#""informatica":{"ok":false"#), "\(breakerOpen.body)")
        health.recordLoop(now: now, oldestUnfinishedAge: .seconds(61), breakerOpen: false)
        let stuck = health.readiness(now: now)
        #expect(!stuck.ok && stuck.checks.first { $0.name == "progress" }?.ok == false)
        health.recordLoop(now: now, oldestUnfinishedAge: .zero, breakerOpen: false)
        #expect(health.readiness(now: now).ok)
        // A loop that stops ticking: not alive once the stall limit passed.
        #expect(health.liveness(now: now + .seconds(5)).ok)
        let stalled = health.liveness(now: now + WorkerHealth.loopStallLimit + .seconds(1))
        #expect(!stalled.ok)
        #expect(stalled.json.contains(#""loop":{"ok":false"#))
        // A poll outstanding past its limit: not alive, nor ready; alive again once it returns.
        health.pollBegan(now: now, limit: .seconds(30))
        health.recordLoop(now: now + .seconds(30), oldestUnfinishedAge: .zero, breakerOpen: false)
        #expect(health.liveness(now: now + .seconds(30)).ok)
        let hung = health.liveness(now: now + .seconds(31))
        #expect(!hung.ok && hung.json.contains(#""poll":{"ok":false"#), "\(hung.json)")
        health.pollEnded()
        #expect(health.liveness(now: now + .seconds(31)).ok)
        // A producer whose delivery-report thread has been silent past the stall limit: not alive.
        health.recordLoop(now: now + .seconds(31), oldestUnfinishedAge: .zero, breakerOpen: false, deliverySilence: .seconds(11))
        let stuckDeliveries = health.liveness(now: now + .seconds(31))
        #expect(!stuckDeliveries.ok && stuckDeliveries.json.contains(#""delivery":{"ok":false"#), "\(stuckDeliveries.json)")
        try await endpoint.stop()
    }
}
}

extension WorkerIntegration {
@Suite("Logs as JSON lines", .serialized)
struct JSONLogTests {
    @Test("mock only: every line of a worker process's JSON log parses; lines about a record carry its keys; no secret appears")
    func jsonLines() async throws {
        announce("jsonLines", .mock)
        try await WorkerHarness.with(.mock, simulator: { $0.taskRules = [TaskRule(prefix: "missing-", status: 404)] }) { harness in
            var samples = (0..<20).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") }
            samples.append(SampleRequests.valid(index: 20, codeTaskId: "missing-1"))
            let produced = try await harness.produce(samples)
            let worker = try WorkerProcess.launch(harness, arguments: ["--log-format", "json", "--log-level", "info"])
            let audit = try await harness.audit(Array(produced.keys))
            worker.kill(SIGTERM)
            #expect(worker.waitForExit() == 0)
            #expect(audit.lost.isEmpty)
            let lines = worker.log().split(separator: "\n").filter { !$0.isEmpty }
            let objects = lines.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
            #expect(objects.count == lines.count, "lines that are not JSON objects: \(lines.count - objects.count)")
            #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
            let started = objects.filter { $0["message"] as? String == "Code task started; event published" }
            #expect(started.count == 20)
            for line in started {
                for key in ["kafka.topic", "kafka.partition", "kafka.offset", "codetask.request_id", "codetask.code_task_id", "informatica.job_id"] {
                    #expect(line[key] is String, "a started line without \(key): \(line)")
                }
            }
            let failed = objects.filter { $0["message"] as? String == "Code task not started; failed event published" }
            #expect(failed.count == 1 && failed.first?["codetask.code_task_id"] as? String == "missing-1")
            let secrets = [harness.simulator.configuration.password] + harness.simulator.issuedSessionIds
            #expect(!secrets.contains { secret in lines.contains { $0.contains(secret) } }, "a secret appeared in the log")
        }
    }
}
}

/// An operations endpoint on a free loopback port, in its own service group, with an HTTP client.
private struct ServedEndpoint {
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let port: Int

    static func start(registry: PrometheusCollectorRegistry, health: WorkerHealth) async throws -> ServedEndpoint {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let endpoint = OperationsEndpoint(
            address: OperationsEndpoint.Address("127.0.0.1:0")!, registry: registry, health: health,
            logger: Logger(label: "endpoint-test")) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [endpoint], logger: Logger(label: "endpoint-test"))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return ServedEndpoint(group: group, running: running, port: port)
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 10 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    func status(_ path: String) async throws -> Int { try await self.get(path).status }

    func metrics() async throws -> PrometheusText {
        let answer = try await self.get("/metrics")
        return PrometheusText(answer.body)
    }

    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.running.value
    }
}

/// Samples of the Prometheus text format: `name{label="value",...} number` lines.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let all: [Sample]

    init(_ text: String) {
        self.all = text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        self.all.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        self.samples(name, labels).reduce(0) { $0 + $1.value }
    }
}
