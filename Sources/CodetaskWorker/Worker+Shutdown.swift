import Kafka
import Logging

extension Worker {
    /// The graceful end: take no new work, let work in progress, and the records below each partition's
    /// frontier, finish within the grace period (polling on, so the group is still served); commit every
    /// finished position, flush, leave the group, log out. No begun record is left for the next owner.
    func drainAndClose(afterFailure: Bool) async {
        self.ledger.stopTakingWork()
        let inProgress = self.ledger.activeCount
        self.logger.notice("Worker draining", metadata: ["inProgress": "\(inProgress)", "pending": "\(self.ledger.pendingCount)"])
        let deadline = ContinuousClock.now + self.configuration.shutdownGracePeriod
        while !self.ledger.isQuiescent, ContinuousClock.now < deadline, !afterFailure {
            do {
                try self.updatePause()
                _ = try await self.consumer.poll(timeout: .milliseconds(100))
            } catch {
                _ = await self.ledger.waitUntilIdle(nil, timeout: deadline - ContinuousClock.now)
            }
        }
        if !self.ledger.isQuiescent {
            self.logger.warning(
                "Grace period over; unfinished requests will be redone after restart",
                metadata: ["unfinished": "\(self.ledger.activeCount)"])
            await self.scheduler.cancelRunning()
            self.publisher.abandonRetries()
            _ = await self.ledger.waitUntilIdle(nil, timeout: .seconds(5))
        }
        await self.commitAll()
        await self.closeClients()
        self.phase.withLock { $0 = .stopped }
        self.logger.notice("Worker stopped", metadata: ["statistics": "\(self.statistics)"])
    }

    /// Commits every partition's finished position and waits for the answer.
    private func commitAll() async {
        let positions = self.ledger.allCommittablePositions()
        guard !positions.isEmpty else { return }
        // A rebalance in progress (another member joining or leaving) makes a commit fail retriably.
        for attempt in 1...5 {
            do {
                try await self.consumer.commit(positions)
                self.count { $0.commits += 1 }
                return
            } catch {
                guard error.isRetriable, attempt < 5 else {
                    self.logger.warning(
                        "Final commit failed; these records will be redone", metadata: ["error": "\(error)", "positions": "\(positions)"])
                    return
                }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    /// Flushes and closes the producer, leaves the group, and shuts the Informatica client down (logout).
    func closeClients() async {
        do {
            try await self.producer.flush(timeout: .seconds(10))
        } catch {
            self.logger.warning("Producer flush incomplete", metadata: ["error": "\(error)"])
        }
        do {
            try await self.consumer.close()
        } catch {
            self.logger.warning("Consumer close failed", metadata: ["error": "\(error)"])
        }
        self.rebalance.detach()
        await self.producer.close(timeout: .seconds(5))
        await self.client.shutdown()
    }
}
