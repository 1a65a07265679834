import ProofSupport
import Testing

@Suite("Chaos schedule text")
struct ChaosScheduleTests {
    @Test("items parse in time order with their durations, and print back the same")
    func parses() throws {
        let schedule = try ChaosSchedule(parsing: "term@40s, kill9@20,503@120s+10s,slow@1.5s+2.5s")
        #expect(schedule.items.map(\.kind) == [.slow, .kill9, .term, .storm503])
        #expect(schedule.items.map(\.at) == [1.5, 20, 40, 120])
        #expect(schedule.items.map(\.duration) == [2.5, 0, 0, 10])
        #expect(schedule.items.map(\.description) == ["slow@1.5s+2.5s", "kill9@20s", "term@40s", "503@120s+10s"])
        #expect(schedule.end == 130)
    }

    @Test("unknown kinds, bad times, missing or unwanted durations are refused", arguments: [
        "boom@10s", "kill9", "kill9@x", "kill9@10s+5s", "503@10s", "broker-down@10s+", "kill9@-1s",
    ])
    func refuses(text: String) {
        #expect(throws: ProofError.self) { try ChaosSchedule(parsing: text) }
    }
}

@Suite("Prometheus text")
struct MetricsScrapeTests {
    @Test("sums every label set of a metric and skips comments")
    func sums() {
        let scrape = MetricsScrape(text: """
            # TYPE codetask_worker_consumer_lag gauge
            codetask_worker_consumer_lag{topic="t",partition="0"} 3
            codetask_worker_consumer_lag{topic="t",partition="1"} 4.5
            codetask_worker_consumer_lag_other 100
            codetask_worker_start_calls_in_flight 7
            """)
        #expect(scrape.sum("codetask_worker_consumer_lag") == 7.5)
        #expect(scrape.sum("codetask_worker_start_calls_in_flight") == 7)
        #expect(scrape.sum("codetask_worker_records_pending") == nil)
    }
}
