import NIOCore
import Synchronization

/// Ends answer-body reads at their deadlines with one coarse timer for all of them: a tick every
/// ``tick`` on one event loop, while reads are watched.
///
/// An event-loop timer scheduled and cancelled for each read cost a cross-thread wake-up of an event loop each way
/// (about 5 % of the worker's CPU in a profile of 256 calls in flight); registering a read here takes a lock and a
/// dictionary entry. A read ends at most one tick after its deadline.
final class BodyDeadlineWatch: Sendable {
    /// How often the watched deadlines are checked, and so how late a read may end.
    static let tick = TimeAmount.milliseconds(50)

    /// A watched read: its deadline, and what ends it.
    private struct Entry: Sendable {
        let deadline: NIODeadline
        let expire: @Sendable () -> Void
    }

    private struct State: Sendable {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        /// The ticking timer; `nil` while nothing is watched (it stops at the first tick that finds nothing).
        var timer: RepeatedTask?
        var stopped = false
    }

    private let state = Mutex(State())
    private let loop: any EventLoop

    /// - Parameter loop: The event loop whose timer ticks.
    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Watches a read: `expire` runs once (on the event loop), at most one tick after `deadline`, unless the read
    /// is ended first with the returned id.
    func watch(until deadline: NIODeadline, expire: @escaping @Sendable () -> Void) -> UInt64 {
        self.state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(deadline: deadline, expire: expire)
            if state.timer == nil && !state.stopped {
                state.timer = self.loop.scheduleRepeatedTask(initialDelay: Self.tick, delay: Self.tick) { [weak self] _ in
                    self?.expireDue()
                }
            }
            return id
        }
    }

    /// Stops watching a read (it ended before its deadline, or was expired).
    func end(_ id: UInt64) {
        self.state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Stops the timer for good; reads still watched are not expired by it.
    func stop() {
        self.state.withLock { state in
            state.stopped = true
            state.timer?.cancel()
            state.timer = nil
        }
    }

    /// Runs on each tick: expires the reads whose deadline passed; stops ticking when nothing is watched.
    private func expireDue() {
        let now = NIODeadline.now()
        let due: [Entry] = self.state.withLock { state in
            guard !state.entries.isEmpty else {
                state.timer?.cancel()
                state.timer = nil
                return []
            }
            var due: [Entry] = []
            for (id, entry) in state.entries where entry.deadline <= now {
                due.append(entry)
                state.entries.removeValue(forKey: id)
            }
            return due
        }
        for entry in due { entry.expire() }
    }
}
