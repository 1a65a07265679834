import Kafka
import Testing

@testable import CodetaskWorker

/// Holding a record while Informatica is judged down, decided by the worker core (issue 19: the per-job hold and
/// its retry count are core state, not a loop inside the job).
@Suite("The worker core: records held while Informatica is judged down")
struct WorkerCoreHoldTests {
    private typealias Core = WorkerCore<String>

    private static func context(_ actions: [Core.Action]) -> [Int64: (payload: String, context: Core.JobContext)] {
        var started: [Int64: (String, Core.JobContext)] = [:]
        for case .startJob(_, let source, let payload, let context) in actions { started[source.offset] = (payload, context) }
        return started
    }

    @Test("a held job's record starts again at the head of its key, with the work it left, after the hold pause")
    func heldRecordStartsAgainFirst() {
        var driver = CoreDriver { $0.maxOutageRetries = 2 }
        driver.assign([partition0])
        let first = driver.poll(partition0, [0, 1]) { _ in "same" }.startedJobs()
        #expect(first.map(\.source.offset) == [0])
        let ended = driver.send(.jobEnded(first[0].id, finished: false, held: Core.Held(payload: "calls: 1", outageRetry: true)))
        #expect(ended.startedJobs().isEmpty, "started again within the hold pause")
        #expect(driver.core.heldCount == 1)
        let again = Self.context(driver.advance(.milliseconds(250)))
        #expect(again.keys.sorted() == [0], "offset 1 overtook the held record of its key")
        #expect(again[0]?.payload == "calls: 1")
        #expect(again[0]?.context.outageRetriesLeft == 1)
        #expect(driver.core.heldCount == 0)
    }

    @Test("holds the breaker turned away do not count against the outage retries; failed calls during an outage do")
    func onlyOutageFailuresCount() {
        var driver = CoreDriver { $0.maxOutageRetries = 1 }
        driver.assign([partition0])
        var job = driver.poll(partition0, [0]).startedJobs()[0]
        for (outageRetry, left) in [(false, 1), (true, 0), (false, 0)] {
            driver.send(.jobEnded(job.id, finished: false, held: Core.Held(payload: "", outageRetry: outageRetry)))
            let actions = driver.advance(.milliseconds(250))
            #expect(Self.context(actions)[0]?.context.outageRetriesLeft == left)
            job = actions.startedJobs()[0]
        }
    }

    @Test("a held record is not started again once the stop began, nor after its partition was revoked")
    func heldRecordsWaitForTheNextOwner() {
        var driver = CoreDriver()
        driver.assign([partition0, partition1])
        let jobs = driver.poll(partition0, [0]).startedJobs() + driver.poll(partition1, [0]) { "p1-\($0)" }.startedJobs()
        driver.send(.revoked([partition1], 1))
        driver.send(.jobEnded(jobs[1].id, finished: false, held: Core.Held(payload: "", outageRetry: false)))
        driver.send(.stopRequested)
        driver.send(.jobEnded(jobs[0].id, finished: false, held: Core.Held(payload: "", outageRetry: false)))
        let later = driver.advance(.seconds(1)) + driver.advance(.seconds(1))
        #expect(later.startedJobs().isEmpty)
        #expect(later.compactMap(\.committed).allSatisfy { $0.values.allSatisfy { $0.offset == 0 } }, "a held record was committed")
    }

    @Test("while the breaker is open nothing starts, held records included; half-open lets one probe through")
    func heldRecordsWaitForTheBreaker() {
        var driver = CoreDriver()
        driver.assign([partition0])
        let job = driver.poll(partition0, [0, 1, 2]) { _ in "same" }.startedJobs()[0]
        driver.send(.breaker(.open(until: driver.now + .seconds(5))))
        driver.send(.jobEnded(job.id, finished: false, held: Core.Held(payload: "", outageRetry: false)))
        #expect(driver.advance(.seconds(1)).startedJobs().isEmpty)
        #expect(driver.send(.breaker(.halfOpen)).startedJobs().map(\.source.offset) == [0], "the held record is the probe")
    }
}
