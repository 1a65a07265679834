import Foundation
import InformaticaClient
import Kafka
import Logging

extension Worker {
    typealias Core = WorkerCore<RecordWork>

    /// The machine's settings from the configuration.
    var coreSettings: Core.Settings {
        var settings = Core.Settings()
        settings.maxInFlight = self.configuration.maxInFlight
        settings.maxPending = self.configuration.maxPendingRecords
        settings.drainTimeout = self.configuration.rebalanceDrainTimeout
        settings.gracePeriod = self.configuration.shutdownGracePeriod
        settings.commitInterval = self.configuration.commitInterval
        settings.journal = self.journal != nil
        settings.maxOutageRetries = self.configuration.maxOutageRetries
        return settings
    }

    /// Runs the state machine from one task until it finishes: takes each event from the inbox, hands it to
    /// the machine and carries out the actions. Polls, the ticker and the breaker follower are child tasks;
    /// jobs and calls into librdkafka that cannot be cancelled run as tasks awaited at the end within the
    /// stop bound.
    /// - Returns: The fatal error's description, when the worker stopped because of one.
    func drive() async -> String? {
        var state = DriverState(core: Core(settings: self.coreSettings))
        // A discarding group: a poll task is freed when it ends (a plain group keeps every finished child until
        // `next()`, and the driver starts one per poll: memory would grow with every poll).
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            group.addTask { await self.followCircuitBreaker() }
            self.startPoll(&state, in: &group)
            for await event in self.inbox.events {
                self.handle(event, &state)
                if self.publisher.hasFailedFatally && state.core.failure == nil {
                    self.handle(.fatalError("the Kafka producer failed fatally"), &state)
                }
                if state.finished { break }
                self.startPoll(&state, in: &group)
            }
            self.inbox.close()
            group.cancelAll()
        }
        await self.endTasks(state, until: state.closeDeadline ?? .now + .seconds(2))
        return state.core.failure
    }

    /// Ends what the machine left running once it finished, within the stop bound `end`: jobs and background
    /// work had their time in the stop sequence and are cancelled (a cancelled call sends no further request),
    /// the clients are closed (a publish still retrying then ends at once), and every task is waited for until
    /// `end`. A task still running then (a call into librdkafka that cannot be cancelled) is abandoned, logged.
    private func endTasks(_ state: DriverState, until end: ContinuousClock.Instant) async {
        state.jobs.cancelAll()
        state.background.cancelAll()
        let wait = min(ContinuousClock.now + .seconds(1), end)
        await state.jobs.waitAll(until: wait)
        await state.background.waitAll(until: wait)
        await self.closeClients(until: end)
        let jobsEnded = await state.jobs.waitAll(until: end)
        let backgroundEnded = await state.background.waitAll(until: end)
        if !jobsEnded || !backgroundEnded {
            self.logger.warning(
                "Tasks still running at the end of the stop bound; abandoned",
                metadata: ["jobs": "\(state.jobs.count)", "background": "\(state.background.count)"])
        }
    }

    /// Runs ``drive()`` shielded from the caller's cancellation, which requests a stop instead (as
    /// ``shutdown()`` does): the stop sequence then runs whole, within its bound, and every task the worker
    /// started has ended (or was abandoned, logged, at the bound) when this returns.
    /// - Returns: The fatal error's description, when the worker stopped because of one.
    func driveStoppingOnCancel() async -> String? {
        // Not a child task: cancelling the caller must not cancel the drive (its inbox would end at once).
        let driver = Task { await self.drive() }
        return await withTaskCancellationHandler {
            await driver.value
        } onCancel: {
            self.shutdown()
        }
    }

    /// What the driver keeps besides the machine: task handles and the revocations' commit deadlines.
    struct DriverState {
        var core: Core
        let jobs = TaskSet()
        let background = TaskSet()
        /// The wind-down signal of each running Start job.
        var windDowns: [Core.JobID: CallWindDown] = [:]
        var revocationDeadlines: [Core.RevocationID: ContinuousClock.Instant] = [:]
        var pollOutstanding = false
        var finished = false
        var closeDeadline: ContinuousClock.Instant?
        /// The owned partition count the group rate limit's share was last set for.
        var rateShareOwned: Int?
    }

    private func handle(_ event: Core.Event, _ state: inout DriverState) {
        let now = ContinuousClock.now
        switch event {
        case .polled, .fatalError:
            state.pollOutstanding = false
            self.health.pollEnded()
        case .jobEnded(let id, _, _, _): state.windDowns[id] = nil
        default: break
        }
        self.log(event)
        for action in state.core.handle(event, now: now) { self.perform(action, &state, now: now) }
        for (id, until) in state.revocationDeadlines where now >= until {
            state.revocationDeadlines[id] = nil
            self.inbox.completeRevocation(id)
        }
        self.paused.store(!state.core.paused.isEmpty, ordering: .relaxed)
        self.updateGauges(state.core, event: event, now: now)
        if case .tick = event { self.followRateLimitShare(owned: state.core.partitions.count, &state) }
        if case .tick = event, self.metrics.partitions.beginSample(now: now) {
            let committed = state.core.partitions.mapValues { $0.committed?.offset }
            state.background.spawn { await self.samplePartitionGauges(committed: committed) }
        }
        let counts = state.core.counts
        self.count {
            $0.received = counts.received
            $0.notBegun = counts.notBegun
            $0.alreadyFinished = counts.alreadyFinished
            $0.commits = counts.commits
            $0.commitFailures = counts.commitFailures
            $0.cancelled = counts.cancelled
        }
    }

    private func perform(_ action: Core.Action, _ state: inout DriverState, now: ContinuousClock.Instant) {
        switch action {
        case .startJob(let id, _, let work, let context):
            let windDown = CallWindDown()
            state.windDowns[id] = windDown
            state.jobs.spawn(id: id) {
                let end = await self.runJob(work, context: context, windDown: windDown) { self.inbox.send(.callEnded(id)) }
                self.inbox.send(.jobEnded(id, finished: end.finished, journal: end.journal, held: end.held))
            }
        case .cancelJobs(let ids, let reason):
            self.logger.warning("Cancelling jobs", metadata: ["count": "\(ids.count)", "reason": "\(reason)"])
            for id in ids { state.jobs.cancel(id) }
        case .windDownJobs(let ids):
            self.logger.notice("Winding down the jobs of lost partitions", metadata: ["count": "\(ids.count)"])
            for id in ids { state.windDowns[id]?.request() }
        case .pause(let partitions):
            self.logger.notice(
                "Consumption paused",
                metadata: ["partitions": "\(partitions.count)", "reason": "\(state.core.pauseReason(now: now).map(String.init(describing:)) ?? "")"])
            self.applyPause(partitions, pausing: true)
        case .resume(let partitions):
            self.logger.notice("Consumption resumed", metadata: ["partitions": "\(partitions.count)"])
            self.applyPause(partitions, pausing: false)
        case .readCommitted(let partitions, let epoch):
            state.background.spawn { await self.readCommitted(partitions, epoch: epoch) }
        case .commit(let id, let points, let journalStarts):
            state.background.spawn {
                let result = await self.commit(points, journalStarts: journalStarts, context: "periodic")
                self.inbox.send(.commitEnded(id, result))
            }
        case .readBackCommit(let partition, let point):
            state.background.spawn { self.inbox.send(await self.readBackCommit(partition, point)) }
        case .writeCheckpoints(let checkpoints):
            guard let journal = self.journal else { break }
            state.background.spawn { await self.writeCheckpoints(checkpoints, journal: journal) }
        case .completeRevocation(let id, let points, let journalStarts, let until):
            state.revocationDeadlines[id] = until
            state.background.spawn {
                await self.commitRetrying(points, journalStarts: journalStarts, until: until, context: "revocation")
                self.inbox.completeRevocation(id)
            }
        case .close(let until):
            state.closeDeadline = until + (self.coreSettings.closeReserve / 2)
            state.background.spawn {
                do {
                    try await self.consumer.close()
                } catch {
                    self.logger.warning("Consumer close failed", metadata: ["error": "\(error)"])
                }
                self.inbox.send(.closeEnded)
            }
        case .finish:
            state.finished = true
        }
    }

    /// Copies the machine's figures into the gauges: the breaker's state on its changes, the rest on ticks
    /// (every 100 ms, so the cost does not grow with the request rate).
    private func updateGauges(_ core: Core, event: Core.Event, now: ContinuousClock.Instant) {
        switch event {
        case .breaker(let view):
            let state: Int
            switch view {
            case .closed: state = 0
            case .halfOpen: state = 1
            case .open: state = 2
            }
            self.metrics.circuitBreakerState.record(state)
        case .tick:
            self.metrics.startCallsInFlight.record(core.runningKeyed)
            let held = core.heldCount
            self.metrics.requestsHeld.record(held)
            self.count { $0.held = held }
            self.metrics.recordsPending.record(core.pendingTotal)
            self.metrics.partitionsAssigned.record(core.partitions.count)
            var (loading, active, revoking) = (0, 0, 0)
            for partition in core.partitions.values {
                switch partition.status {
                case .loading: loading += 1
                case .active: active += 1
                case .revoking: revoking += 1
                }
            }
            self.metrics.partitionsByState(loading: loading, active: active, revoking: revoking)
            self.metrics.partitionsPaused(core.paused.count, reason: core.paused.isEmpty ? nil : core.pauseReason(now: now))
            let age = core.oldestUnfinishedArrival.map { now - $0 } ?? .zero
            self.metrics.oldestUnfinishedAge.record(age.secondsValue)
            self.health.recordLoop(
                now: now, oldestUnfinishedAge: age, breakerOpen: core.breaker != .closed,
                deliverySilence: self.producer.deliveryLoopSilence, partitionsOwned: core.partitions.count)
        default:
            break
        }
    }

    /// With a group-wide rate limit, runs this member's bucket at its share of the budget whenever the number of
    /// partitions it owns (loading, active or still draining a revocation) changes: a revocation's running calls
    /// keep the share until their partitions are released, and a member that owns nothing sends nothing.
    private func followRateLimitShare(owned: Int, _ state: inout DriverState) {
        guard self.configuration.informatica.rateLimit?.scope == .group, state.rateShareOwned != owned else { return }
        state.rateShareOwned = owned
        let share = RateLimitShare.of(owned: owned, partitions: self.inputPartitions.load(ordering: .relaxed))
        self.client.setRateLimitShare(share)
        self.logger.info(
            "Rate limit share set", metadata: ["ownedPartitions": "\(owned)", "startsPerSecond": "\(self.client.rateLimitInForce ?? 0)"])
    }

    /// Keeps one poll outstanding while the machine wants records (and rebalances served).
    private func startPoll(_ state: inout DriverState, in group: inout DiscardingTaskGroup) {
        guard state.core.wantsPolling, !state.pollOutstanding else { return }
        state.pollOutstanding = true
        self.health.pollBegan(now: .now, limit: self.pollLimit)
        group.addTask { await self.pollOnce() }
    }

    private func applyPause(_ partitions: [TopicPartition], pausing: Bool) {
        do {
            if pausing { try self.consumer.pause(partitions) } else { try self.consumer.resume(partitions) }
        } catch {
            // A partition revoked meanwhile; the machine drops it on the revocation event.
            self.logger.debug("Pause or resume refused", metadata: ["error": "\(error)"])
        }
    }

    /// Sends a tick every 100 ms until cancelled: the machine's deadlines are checked on ticks.
    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            self.inbox.send(.tick)
        }
    }

    /// Mirrors the circuit breaker into the machine (ends when the client shuts down or on cancellation).
    private func followCircuitBreaker() async {
        for await state in self.client.circuitBreakerStateChanges() {
            self.logger.notice("Informatica circuit breaker changed", metadata: ["state": "\(state)"])
            switch state {
            case .closed: self.inbox.send(.breaker(.closed))
            case .halfOpen: self.inbox.send(.breaker(.halfOpen))
            case .open(let until): self.inbox.send(.breaker(.open(until: .now + .seconds(until.timeIntervalSinceNow))))
            }
        }
    }

    private func log(_ event: Core.Event) {
        switch event {
        case .assigned(let partitions):
            self.logger.info("Partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        case .revoked(let partitions, _):
            self.logger.info("Partitions being revoked", metadata: ["partitions": "\(partitions.sorted())"])
        case .lost(let partitions):
            self.logger.warning(
                "Partitions lost; their calls send no new request and nothing is committed for them",
                metadata: ["partitions": "\(partitions.sorted())"])
        case .fatalError(let reason):
            self.logger.critical("Worker stopping after a fatal error", metadata: ["error": "\(reason)"])
        case .stopRequested:
            self.logger.notice("Worker stopping", metadata: ["grace": "\(self.configuration.shutdownGracePeriod)"])
        default:
            break
        }
    }
}
