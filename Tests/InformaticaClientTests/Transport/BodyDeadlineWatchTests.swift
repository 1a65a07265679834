import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import InformaticaClient

@Suite("The body deadline watch: one tick for every read")
struct BodyDeadlineWatchTests {
    @Test("a read is expired once, after its deadline and at most about a tick late; an ended read never")
    func expiresOnlyWhatIsDue() async throws {
        let watch = BodyDeadlineWatch(loop: MultiThreadedEventLoopGroup.singleton.next())
        defer { watch.stop() }
        let expired = Mutex<[String: NIODeadline]>([:])
        let began = NIODeadline.now()
        let dueSoon = began + .milliseconds(120)
        _ = watch.watch(until: dueSoon) { expired.withLock { $0["soon", default: .now()] = .now() } }
        let ended = watch.watch(until: began + .milliseconds(60)) { expired.withLock { $0["ended"] = .now() } }
        _ = watch.watch(until: began + .seconds(3600)) { expired.withLock { $0["later"] = .now() } }
        watch.end(ended)
        try await Task.sleep(for: .milliseconds(600))
        let seen = expired.withLock { $0 }
        #expect(Set(seen.keys) == ["soon"], "\(seen.keys)")
        let at = try #require(seen["soon"])
        #expect(at >= dueSoon)
        // A tick is 50 ms; the loaded CI machine gets generous room, the bound only says "not forever".
        #expect(at - dueSoon < .milliseconds(450), "expired \((at - dueSoon).nanoseconds / 1_000_000) ms late")
    }

    @Test("the tick stops when nothing is watched and starts again for the next read; a stopped watch expires nothing")
    func ticksOnlyWhileWatching() async throws {
        let watch = BodyDeadlineWatch(loop: MultiThreadedEventLoopGroup.singleton.next())
        let count = Atomic<Int>(0)
        _ = watch.watch(until: .now()) { count.add(1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(200))    // expired, then a tick that finds nothing stops the timer
        _ = watch.watch(until: .now()) { count.add(1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(count.load(ordering: .relaxed) == 2)
        watch.stop()
        _ = watch.watch(until: .now()) { count.add(1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(count.load(ordering: .relaxed) == 2)
    }
}
