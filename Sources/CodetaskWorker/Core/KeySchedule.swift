import DequeModule
import HeapModule

/// Per-key scheduling of queued tickets: one running ticket per ordering key, queued ones in arrival order, and
/// the next key to start chosen by its oldest queued ticket.
///
/// A key is *armed* (offered by ``nextArmed()``) exactly when its queue is not empty and it is not busy (or
/// while the caller holds it between ``nextArmed()`` and its answer). Every change that can make a key
/// startable (a ticket queued, the key going idle, its head removed) re-arms it at once, so a key with queued
/// work is never forgotten: it is armed or busy. Removal is eager: a dropped ticket leaves its key's queue at
/// once. The heap may hold entries made stale by a removal; they are skipped when popped, and
/// there is at most one valid entry per key.
struct KeySchedule<ID: Comparable & Hashable & Sendable>: Sendable {
    /// A key offered for starting, with the ticket at its head when it was armed.
    struct Entry: Comparable, Sendable {
        let id: ID
        let key: String
        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.id < rhs.id }
    }

    private var queues: [String: Deque<ID>] = [:]
    private var busy: Set<String> = []
    /// The head each armed key was offered with.
    private var armed: [String: ID] = [:]
    private var heap = Heap<Entry>()

    /// Queued tickets, over all keys.
    private(set) var queuedCount = 0

    /// Whether a ticket of `key` runs now.
    func isBusy(_ key: String) -> Bool { self.busy.contains(key) }

    /// The queued tickets of `key`, oldest first.
    func queue(of key: String) -> Deque<ID> { self.queues[key] ?? [] }

    /// Every key with queued tickets.
    var keysWithQueuedWork: Dictionary<String, Deque<ID>>.Keys { self.queues.keys }

    /// Whether `key` is offered for starting now.
    func isArmed(_ key: String) -> Bool { self.armed[key] != nil }

    /// Entries in the heap, stale ones included (a bound the tests check).
    var heapCount: Int { self.heap.count }

    /// Queues a ticket behind its key.
    mutating func enqueue(_ id: ID, key: String) {
        self.queues[key, default: []].append(id)
        self.queuedCount += 1
        self.arm(key)
    }

    /// Queues a ticket at the front of its key (work that must run again before what came after it).
    mutating func enqueueFirst(_ id: ID, key: String) {
        self.queues[key, default: []].prepend(id)
        self.queuedCount += 1
        self.armed[key] = nil
        self.arm(key)
    }

    /// Removes a queued ticket wherever it stands; the key is re-armed with its new head.
    mutating func remove(_ id: ID, key: String) {
        guard var queue = self.queues[key], let index = queue.firstIndex(of: id) else { return }
        queue.remove(at: index)
        self.queuedCount -= 1
        self.queues[key] = queue.isEmpty ? nil : queue
        if index == 0 {
            self.armed[key] = nil
            self.arm(key)
        }
    }

    /// The armed key with the oldest head, disarmed; the caller starts its head (``take(_:)``), removes it
    /// (``remove(_:key:)``, which re-arms the key) or offers it again later (``rearm(_:)``).
    mutating func nextArmed() -> Entry? {
        while let entry = self.heap.popMin() {
            guard self.armed[entry.key] == entry.id else { continue }
            self.armed[entry.key] = nil
            return entry
        }
        return nil
    }

    /// Offers a key taken by ``nextArmed()`` again (its head may start later).
    mutating func rearm(_ entry: Entry) {
        self.arm(entry.key)
    }

    /// Takes the head of a key taken by ``nextArmed()`` to run: the key is busy until ``finished(_:)``.
    mutating func take(_ entry: Entry) {
        self.queues[entry.key]!.removeFirst()
        self.queuedCount -= 1
        if self.queues[entry.key]!.isEmpty { self.queues[entry.key] = nil }
        self.busy.insert(entry.key)
    }

    /// The running ticket of `key` ended: its next queued ticket is offered.
    mutating func finished(_ key: String) {
        self.busy.remove(key)
        self.arm(key)
    }

    /// Arms `key` when it has a queue, is idle and is not armed already.
    private mutating func arm(_ key: String) {
        guard !self.busy.contains(key), self.armed[key] == nil, let head = self.queues[key]?.first else { return }
        self.armed[key] = head
        self.heap.insert(Entry(id: head, key: key))
    }
}
