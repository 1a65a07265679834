import CodetaskDemo
import CodetaskWorker
import Foundation
import Kafka
import Synchronization

/// Produces sample requests at a steady rate (code task ids unique per request, every n-th record malformed) and
/// remembers where each landed.
final class RateProducer: Sendable {
    private struct State {
        var positions: [RecordSource: SampleRecord] = [:]
        var sent = 0
        var failure: String?
    }

    let total: Int
    let rate: Double
    private let samples: [SampleRecord]
    private let state = Mutex(State())

    init(total: Int, rate: Double, malformedEvery: Int) {
        self.total = total
        self.rate = rate
        // The samples key some valid requests by one of 7 tenants, which piles them on 7 partitions: more than the
        // mock cluster keeps of one partition in a long run. Those keep a key, their own code task id.
        self.samples = SampleRequests.mix(count: total, malformedEvery: malformedEvery).map { sample in
            guard sample.key != nil, case .start(let id) = sample.expectation else { return sample }
            var keyed = sample
            keyed.key = id
            return keyed
        }
    }

    /// Records acknowledged so far.
    var sent: Int { self.state.withLock { $0.sent } }
    /// Where each acknowledged record landed.
    var positions: [RecordSource: SampleRecord] { self.state.withLock { $0.positions } }
    /// Why producing stopped early, if it did.
    var failure: String? { self.state.withLock { $0.failure } }

    /// The input record of each code task id of a valid request.
    var sourcesByCodeTask: [String: RecordSource] {
        self.positions.reduce(into: [:]) { sources, entry in
            if case .start(let id) = entry.value.expectation { sources[id] = entry.key }
        }
    }

    /// One past the highest offset produced, per partition.
    var ends: [Int32: Int64] {
        self.positions.keys.reduce(into: [:]) { ends, source in ends[source.partition] = max(ends[source.partition] ?? 0, source.offset + 1) }
    }

    /// Sends every sample, a batch each 100 ms so that the rate holds; returns when all are acknowledged or a send
    /// failed (``failure``).
    func run(producer: KafkaProducer, topic: String) async {
        let start = ContinuousClock.now
        var next = 0
        while next < self.total {
            let elapsed = ContinuousClock.now - start
            let due = min(self.total, Int(self.rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) + 1)
            if due > next {
                do {
                    let landed = try await SampleProducer.produce(Array(self.samples[next..<due]), topic: topic, with: producer)
                    self.state.withLock { state in
                        state.positions.merge(landed) { $1 }
                        state.sent += landed.count
                    }
                    next = due
                } catch {
                    // Sending again could write a request twice (some of the batch may have landed): the run fails.
                    self.state.withLock { $0.failure = "\(error)" }
                    return
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
