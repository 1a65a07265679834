import InformaticaClient
import Kafka
import Logging

extension Worker {
    /// The polling loop: hands each record on without waiting for its work, and keeps the pause state right.
    func pollUntilStopping() async throws {
        while self.isRunning {
            let batch = try await self.consumer.poll(timeout: .milliseconds(100))
            for message in batch { await self.accept(message) }
            try self.updatePause()
            if self.publisher.hasFailedFatally { throw WorkerError.producerFailed }
        }
    }

    /// Tracks a record and queues its work: a Start job behind its ordering key, or a dead-letter copy.
    private func accept(_ message: KafkaMessage) async {
        self.count { $0.received += 1 }
        guard let ticket = self.ledger.track(RecordSource(message)) else {
            self.count { $0.notBegun += 1 }
            return
        }
        switch self.parser.parse(message) {
        case .success(let request):
            await self.scheduler.submit(key: request.orderingKey) { await self.process(request, ticket) }
        case .failure(let rejection):
            self.logger.info(
                "Invalid request; dead-lettering it",
                metadata: ["source": "\(RecordSource(message))", "reason": "\(rejection.reason)", "detail": "\(rejection.message)"])
            Task { await self.deadLetter(message, rejection, ticket) }
        }
    }

    /// Pauses every assigned partition while the breaker is not closed (see
    /// ``FlowState/breakerHoldsConsumption(activeRequests:)``) or too many records are unfinished (resuming
    /// below half the limit), and resumes them afterwards.
    func updatePause() throws {
        let pending = self.ledger.pendingCount
        let active = self.ledger.activeCount
        let limit = self.configuration.maxPendingRecords
        let (shouldPause, changed, reason) = self.flow.withLock { flow in
            if pending >= limit { flow.overloaded = true } else if pending <= limit / 2 { flow.overloaded = false }
            let breakerOpen = flow.breakerHoldsConsumption(activeRequests: active)
            let shouldPause = breakerOpen || flow.overloaded || !self.isRunning
            defer { flow.paused = shouldPause }
            return (shouldPause, shouldPause != flow.paused, breakerOpen ? "circuit breaker open" : "unfinished records at limit")
        }
        let assigned = self.consumer.assignment
        let paused = self.consumer.pausedPartitions.intersection(assigned)
        if shouldPause {
            let toPause = assigned.subtracting(paused)
            if !toPause.isEmpty { try self.consumer.pause(Array(toPause)) }
            if changed { self.logger.notice("Consumption paused", metadata: ["reason": "\(reason)", "pending": "\(pending)"]) }
        } else {
            if !paused.isEmpty { try self.consumer.resume(Array(paused)) }
            if changed { self.logger.notice("Consumption resumed", metadata: ["pending": "\(pending)"]) }
        }
    }

    /// Mirrors the circuit breaker into the pause state (ends when the client shuts down or on cancellation).
    func followCircuitBreaker() async {
        for await state in self.client.circuitBreakerStateChanges() {
            self.flow.withLock { $0.breaker = state }
            self.logger.notice("Informatica circuit breaker changed", metadata: ["state": "\(state)"])
        }
    }

    /// Whether the breaker is open now.
    var isBreakerOpen: Bool { self.flow.withLock { $0.isBreakerOpen } }

    /// Commits finished positions every commit interval until cancelled.
    func commitPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: self.configuration.commitInterval)
            self.commitFinished()
        }
    }

    /// Stores the positions that moved and starts an asynchronous commit of them.
    func commitFinished() {
        let positions = self.ledger.takeCommittablePositions()
        guard !positions.isEmpty else { return }
        do {
            try self.consumer.storeOffsets(positions)
        } catch {
            // A partition revoked meanwhile: the others were stored; the revocation committed its own.
            self.logger.debug("Some offsets were not stored", metadata: ["error": "\(error)", "positions": "\(positions)"])
        }
        do {
            try self.consumer.commitAsync()
            self.count { $0.commits += 1 }
        } catch {
            self.logger.info("Commit failed; the next one includes these offsets", metadata: ["error": "\(error)"])
        }
    }
}
