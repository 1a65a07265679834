internal import CRdKafka
import Foundation
import Synchronization

/// Decides which thread serves a producer's delivery reports (and its log and error events).
///
/// A thread that enqueues serves the reports already due right after each record, as librdkafka
/// recommends, so a busy producer handles its reports, and frees its records, on its own thread instead of
/// handing every one to another thread. The producer's polling thread serves them whenever nothing has been
/// enqueued since its last look, so an awaited `send` is answered without delay once the producer is idle.
final class DeliveryReportServing: Sendable {
    private let handle: RdKafkaHandle
    /// Set while an enqueuing thread serves: one at a time, and never recursively from a delivery callback.
    private let servingInline = Atomic(false)
    private let enqueued = Atomic(0)
    private let enqueuedAtLastLook = Atomic(0)

    init(handle: RdKafkaHandle) {
        self.handle = handle
    }

    /// Called by `enqueue` after each record (also a rejected one: serving reports makes room in a full queue).
    func afterEnqueue() {
        enqueued.add(1, ordering: .relaxed)
        guard servingInline.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return
        }
        _ = rd_kafka_poll(handle.pointer, 0)
        servingInline.store(false, ordering: .releasing)
    }

    /// One turn of the polling thread: while records are being enqueued it naps for a millisecond (their
    /// threads serve the reports); otherwise it waits up to 100 ms for reports and serves them.
    func pollingTurn() {
        let count = enqueued.load(ordering: .relaxed)
        if enqueuedAtLastLook.exchange(count, ordering: .relaxed) != count {
            Thread.sleep(forTimeInterval: 0.001)
        } else {
            _ = rd_kafka_poll(handle.pointer, 100)
        }
    }
}
