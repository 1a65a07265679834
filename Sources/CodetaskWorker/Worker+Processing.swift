import InformaticaClient
import Kafka
import Logging

extension Worker {
    /// The code the Informatica client gives a call its circuit breaker turned away before sending it.
    static let circuitOpenCode = "circuit_open"

    /// One request's work: Start (waiting out an open breaker without giving up), then publish the outcome,
    /// then mark the record finished so its offset can be committed.
    func process(_ request: StartRequest, _ ticket: OffsetLedger.Ticket) async {
        guard self.ledger.begin(ticket) else {
            self.count { $0.notBegun += 1 }
            return
        }
        let began = ContinuousClock.now
        // Records queued before the breaker opened wait with the others rather than spend their attempts on it.
        while self.isBreakerOpen, self.isRunning, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
        var outcome = await self.client.startCodeTask(codeTaskId: request.codeTaskId, traceparent: request.traceparent)
        while case .failed(let failure) = outcome, failure.code == Self.circuitOpenCode {
            // Informatica was never called: hold the request until the breaker lets calls through again.
            guard self.isRunning, !Task.isCancelled else { return self.ledger.abandon(ticket) }
            try? await Task.sleep(for: .milliseconds(200))
            if self.isBreakerOpen { continue }
            outcome = await self.client.startCodeTask(codeTaskId: request.codeTaskId, traceparent: request.traceparent)
        }
        let event: KafkaOutgoingMessage
        switch outcome {
        case .started(let started):
            event = self.events.started(request, started, latency: ContinuousClock.now - began)
        case .failed(let failure):
            if Task.isCancelled { return self.ledger.abandon(ticket) }
            event = self.events.failed(request, StartFailure(failure))
        }
        guard await self.publisher.publish(event, onRetry: { self.count { $0.publishRetries += 1 } }) else {
            return self.ledger.abandon(ticket)
        }
        self.ledger.finish(ticket)
        if case .started = outcome { self.count { $0.started += 1 } } else { self.count { $0.failed += 1 } }
    }

    /// A record that is not a valid request: copied unchanged to the dead-letter topic with the reason, plus a
    /// `codetask.start.failed` event when its code task id could be read.
    func deadLetter(_ message: KafkaMessage, _ rejection: RequestRejection, _ ticket: OffsetLedger.Ticket) async {
        guard self.ledger.begin(ticket) else {
            self.count { $0.notBegun += 1 }
            return
        }
        let onRetry = { self.count { $0.publishRetries += 1 } }
        guard await self.publisher.publish(self.events.deadLetter(message, rejection), onRetry: onRetry) else {
            return self.ledger.abandon(ticket)
        }
        self.count { $0.deadLettered += 1 }
        if let codeTaskId = rejection.codeTaskId {
            let source = RecordSource(message)
            let request = StartRequest(
                requestId: rejection.requestId ?? source.description, codeTaskId: codeTaskId, orderingKey: codeTaskId,
                contextJSON: nil, traceparent: nil, source: source)
            guard await self.publisher.publish(self.events.failed(request, StartFailure(rejection)), onRetry: onRetry) else {
                return self.ledger.abandon(ticket)
            }
            self.count { $0.failed += 1 }
        }
        self.ledger.finish(ticket)
    }
}
