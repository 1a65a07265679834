import InformaticaClient
import Kafka
import Logging

extension Worker {
    /// One request's work: Start (riding out an outage, see ``startRidingOutOutages(_:)``), then publish the
    /// outcome, then mark the record finished so its offset can be committed.
    func process(_ request: StartRequest, _ ticket: OffsetLedger.Ticket) async {
        guard self.ledger.begin(ticket) else {
            self.count { $0.notBegun += 1 }
            return
        }
        let began = ContinuousClock.now
        guard let outcome = await self.startRidingOutOutages(request) else { return self.ledger.abandon(ticket) }
        let event: KafkaOutgoingMessage
        switch outcome {
        case .started(let started):
            event = self.events.started(request, started, latency: ContinuousClock.now - began)
        case .failed(let failure):
            event = self.events.failed(request, StartFailure(failure))
        }
        guard await self.publish(event) else { return self.ledger.abandon(ticket) }
        self.ledger.finish(ticket)
        if case .started = outcome { self.count { $0.started += 1 } } else { self.count { $0.failed += 1 } }
    }

    /// Publishes an output record until acknowledged, counting retries.
    /// - Returns: `false` when publishing was abandoned (stopping hard, or a fatal producer error).
    private func publish(_ record: KafkaOutgoingMessage) async -> Bool {
        await self.publisher.publish(record, onRetry: { self.count { $0.publishRetries += 1 } })
    }

    /// A record that is not a valid request: copied unchanged to the dead-letter topic with the reason, plus a
    /// `codetask.start.failed` event when its code task id could be read.
    func deadLetter(_ message: KafkaMessage, _ rejection: RequestRejection, _ ticket: OffsetLedger.Ticket) async {
        guard self.ledger.begin(ticket) else {
            self.count { $0.notBegun += 1 }
            return
        }
        guard await self.publish(self.events.deadLetter(message, rejection)) else { return self.ledger.abandon(ticket) }
        self.count { $0.deadLettered += 1 }
        if let codeTaskId = rejection.codeTaskId {
            let source = RecordSource(message)
            let request = StartRequest(
                requestId: rejection.requestId ?? source.description, codeTaskId: codeTaskId, orderingKey: codeTaskId,
                contextJSON: nil, traceparent: nil, source: source)
            guard await self.publish(self.events.failed(request, StartFailure(rejection))) else { return self.ledger.abandon(ticket) }
            self.count { $0.failed += 1 }
        }
        self.ledger.finish(ticket)
    }

    /// Starts the code task. While the circuit breaker judges Informatica down, the request is held rather than
    /// failed: a call the breaker turned away is simply repeated once it lets calls through, and a call that ran
    /// out of attempts or time while the breaker was not closed is tried again after it closes, up to
    /// ``WorkerConfiguration/maxOutageRetries`` times (so a task that fails on its own cannot be held forever).
    /// - Returns: The outcome to publish, or `nil` when the worker stopped before there was one.
    private func startRidingOutOutages(_ request: StartRequest) async -> StartOutcome? {
        var outageRetries = 0
        while true {
            // Wait while the breaker turns calls away, rather than spend attempts on it.
            while self.isBreakerOpen, self.isRunning, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
            let outcome = await self.client.startCodeTask(codeTaskId: request.codeTaskId, traceparent: request.traceparent)
            guard case .failed(let failure) = outcome else { return outcome }
            if Task.isCancelled { return nil }
            if failure.isCircuitOpen {
                // Informatica was never called.
                guard self.isRunning else { return nil }
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let duringOutage = failure.category.isRetriable && self.client.circuitBreakerState != .closed
            guard duringOutage, outageRetries < self.configuration.maxOutageRetries, self.isRunning else { return outcome }
            outageRetries += 1
            self.logger.info(
                "Start failed while Informatica is judged down; holding the request",
                metadata: ["codeTaskId": "\(request.codeTaskId)", "requestId": "\(request.requestId)", "outageRetry": "\(outageRetries)"])
        }
    }
}
