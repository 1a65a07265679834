import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Token-bucket rate limit")
struct RateLimitTests {
    @Test("the bucket spaces reservations at 1/rate after the burst")
    func bucket() {
        let start = Date(timeIntervalSince1970: 0)
        var bucket = TokenBucket(settings: RateLimitSettings(startsPerSecond: 10, burst: 2))
        #expect(bucket.reserve(now: start, maxWait: .seconds(10)) == .zero)
        #expect(bucket.reserve(now: start, maxWait: .seconds(10)) == .zero)
        #expect(bucket.reserve(now: start, maxWait: .seconds(10)) == .milliseconds(100))
        #expect(bucket.reserve(now: start, maxWait: .seconds(10)) == .milliseconds(200))
        #expect(bucket.reserve(now: start, maxWait: .milliseconds(250)) == nil)
        #expect(bucket.reserve(now: start.addingTimeInterval(1), maxWait: .zero) == .zero)
    }

    @Test("a share scales rate and burst: 0 sends nothing, a quarter of 40/s burst 40 is 10/s burst 10")
    func share() {
        let start = Date(timeIntervalSince1970: 0)
        var bucket = TokenBucket(settings: RateLimitSettings(startsPerSecond: 40, burst: 40, scope: .group))
        bucket.setShare(0, now: start)
        #expect(bucket.rate == 0 && bucket.burst == 0)
        #expect(bucket.reserve(now: start.addingTimeInterval(100), maxWait: .seconds(3_600)) == nil, "a member that owns nothing sends nothing")
        bucket.setShare(0.25, now: start.addingTimeInterval(100))
        #expect(bucket.rate == 10 && bucket.burst == 10)
        let later = start.addingTimeInterval(200)
        for _ in 0..<10 { #expect(bucket.reserve(now: later, maxWait: .zero) == .zero) }
        #expect(bucket.reserve(now: later, maxWait: .seconds(1)) == .milliseconds(100))
        #expect(bucket.reserve(now: later, maxWait: .seconds(1)) == .milliseconds(200))
        // A larger share later does not hand out what a smaller one did not earn; a share past 1, or not a number, is clamped.
        bucket.setShare(7, now: later)
        #expect(bucket.rate == 40 && bucket.burst == 40)
        bucket.setShare(.nan, now: later)
        #expect(bucket.rate == 0)
    }

    @Test("a 429's Retry-After holds every reservation, then spaces them at the rate again")
    func hold() {
        let start = Date(timeIntervalSince1970: 0)
        var bucket = TokenBucket(settings: RateLimitSettings(startsPerSecond: 10, burst: 10))
        bucket.hold(until: start.addingTimeInterval(5))
        #expect(bucket.reserve(now: start, maxWait: .seconds(60)) == .seconds(5))
        #expect(bucket.reserve(now: start, maxWait: .seconds(60)) == .milliseconds(5_100))
        #expect(bucket.reserve(now: start, maxWait: .seconds(60)) == .milliseconds(5_200))
        #expect(bucket.reserve(now: start, maxWait: .seconds(1)) == nil, "past the call's deadline: refused, nothing taken")
        // A clock that goes back earns nothing.
        #expect(bucket.reserve(now: start.addingTimeInterval(-3_600), maxWait: .seconds(3_700)) != nil)
    }

    @Test("100 concurrent callers hold to the configured rate within 5 % over a measured window")
    func holdsRate() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.rateLimit = RateLimitSettings(startsPerSecond: 50, burst: 5)
        configuration.retry.deadline = .seconds(600)
        let transport = ScriptedTransport([], clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture)
        let start = clock.now()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<100 {
                group.addTask {
                    for call in 0..<10 { _ = await client.startCodeTask(codeTaskId: "w\(worker)-\(call)") }
                }
            }
        }
        let times = transport.sendTimes.map { $0.timeIntervalSince(start) }.sorted()
        #expect(times.count == 1000)
        // Measured window: after the burst, 10 s of steady state.
        let window = times.filter { $0 >= 2 && $0 < 12 }
        let rate = Double(window.count) / 10
        #expect(abs(rate - 50) / 50 < 0.05, "measured \(rate)/s")
        // Nothing ever exceeds burst + rate × elapsed.
        for (index, time) in times.enumerated() {
            #expect(Double(index + 1) <= 5 + 50 * (time + 1e-4))
        }
        await client.shutdown()
    }

    @Test("a rate-limit wait longer than the deadline fails fast without a call")
    func deadline() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.rateLimit = RateLimitSettings(startsPerSecond: 0.1, burst: 1)
        configuration.retry.deadline = .seconds(5)
        let transport = ScriptedTransport([], clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture)
        #expect(await client.startCodeTask(codeTaskId: "a").jobId != nil)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "b") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .deadlineExceeded)
        #expect(failure.code == "rate_limited")
        #expect(transport.requests.count == 1)
        await client.shutdown()
    }
}
