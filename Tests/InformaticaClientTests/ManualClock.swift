import Foundation
import Synchronization

@testable import InformaticaClient

/// A clock that never really sleeps: `sleep(for:)` records the duration and moves time forward.
final class ManualClock: InformaticaClock {
    private struct State {
        var now: Date
        var sleeps: [Duration] = []
    }

    private let state: Mutex<State>

    init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.state = Mutex(State(now: start))
    }

    func now() -> Date { self.state.withLock { $0.now } }

    /// Moves time forward to at least `start of the sleep + duration` (concurrent sleepers do not add up).
    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        self.state.withLock { state in
            state.sleeps.append(duration)
        }
        self.advance(by: duration)
        await Task.yield()
    }

    /// Moves time forward.
    func advance(by duration: Duration) {
        self.state.withLock { state in
            state.now = state.now.addingTimeInterval(duration.inSeconds)
        }
    }

    /// Every sleep so far, in order.
    var sleeps: [Duration] { self.state.withLock { $0.sleeps } }
}
