import Foundation
import InformaticaSimulator
import ProofSupport

extension ChaosRun {
    /// Starts (or, with `ending`, ends) one scheduled fault.
    func perform(_ item: ChaosSchedule.Item, ending: Bool) async throws {
        switch item.kind {
        case .kill9: try await self.kill9()
        case .term:
            let index = self.nextVictim()
            let victim = self.workers[index]
            self.say("graceful stop of \(victim.name)")
            await self.recordStop(victim)
            self.workers[index] = try self.rig.launchWorker(victim.name)
            self.say("\(victim.name) restarted")
        case .join:
            let name = "w\(self.command.workers + self.joined.count + 1)"
            self.joined.append(try self.rig.launchWorker(name))
            self.say("\(name) joins")
        case .leave:
            guard let leaving = self.joined.popLast() else {
                self.say("leave: no joined worker to stop")
                return
            }
            // A worker stopped before it joined would test start-up, not leaving: let it take partitions first.
            let joinedGroup = try await self.rig.waitForGroup(self.workers + self.joined + [leaving], timeout: 60)
            self.say("\(leaving.name) leaves\(joinedGroup ? "" : " (it had not been given partitions within 60 s)")")
            await self.recordStop(leaving)
        case .brokerDown:
            guard let mock = self.rig.broker.mock else {
                self.say("broker-down skipped: only the mock cluster can take its brokers down")
                return
            }
            if ending { try mock.setAllBrokersUp() } else { try mock.setAllBrokersDown() }
            self.say(ending ? "brokers up" : "every broker down for \(item.duration) s")
        case .expire:
            self.rig.simulator.expireAllSessions()
            self.say("Informatica sessions expired")
        case .storm503, .burst429, .slow:
            if ending { self.activeFaults.remove(item.kind) } else { self.activeFaults.insert(item.kind) }
            if item.kind == .slow {
                if ending, let since = self.slowSince { self.slowWindows.append(since...Date()) } else { self.slowSince = Date() }
            }
            self.rig.simulator.setFaults(self.faults)
            self.say("\(item.kind.rawValue) \(ending ? "ends" : "begins (\(item.duration) s)")")
        }
    }

    /// The simulator's faults for the faults active now.
    var faults: FaultConfiguration {
        var faults = self.rig.baseFaults
        if self.activeFaults.contains(.storm503) { faults.startErrorRates[503] = 0.9 }
        if self.activeFaults.contains(.burst429) {
            faults.startErrorRates[429] = 0.5
            faults.retryAfterSeconds = 1
        }
        if self.activeFaults.contains(.slow) { faults.latency = .fixed(milliseconds: (self.command.attemptTimeout + 1) * 1000) }
        return faults
    }

    /// The next worker to stop or kill, in turn.
    func nextVictim() -> Int {
        defer { self.victims += 1 }
        return self.victims % self.workers.count
    }

    /// Reads the victim's gauges and the group's committed positions, then `kill -9`s it and restarts it.
    private func kill9() async throws {
        let index = self.nextVictim()
        let victim = self.workers[index]
        let scrape = try? await MetricsScrape.fetch(address: victim.metricsAddress)
        let committed = try? await self.rig.committed(timeout: .seconds(5))
        let time = Date()
        await victim.child.kill9()
        self.kills.append(KillRecord(
            victim: victim.name, at: self.elapsed, kill: DuplicateAttribution.Kill(time: time, committed: committed),
            inFlight: scrape?.sum("codetask_worker_start_calls_in_flight"), pending: scrape?.sum("codetask_worker_records_pending")))
        self.say("kill -9 of \(victim.name) (Start calls in flight \(scrape?.sum("codetask_worker_start_calls_in_flight").map { "\(Int($0))" } ?? "?")); restarting it")
        self.workers[index] = try self.rig.launchWorker(victim.name)
    }
}
