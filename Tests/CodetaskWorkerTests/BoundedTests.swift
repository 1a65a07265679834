import Testing

@testable import CodetaskWorker

@Suite("Bounded waits")
struct BoundedTests {
    /// The timer used to be cancelled before the result was given: its cancelled sleep then resumed with `false`
    /// first, now and then, and finished work was reported as not finished (a stop logged tasks as abandoned).
    @Test("work that ends at once is always reported finished; work past the deadline is not")
    func finishedWorkIsReportedFinished() async {
        for _ in 0..<2_000 {
            #expect(await Bounded.run(until: .now + .seconds(5)) {})
        }
        #expect(!(await Bounded.run(until: .now + .milliseconds(50)) { try? await Task.sleep(for: .seconds(2)) }))
    }
}
