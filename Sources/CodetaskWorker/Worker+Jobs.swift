import Foundation
import InformaticaClient
import Kafka
import Logging
import Tracing

extension Worker {
    /// One record's work; `earlier` is what an earlier attempt at the record left (the worker core keeps it);
    /// `windDown` asks a Start job to send no further request (its partition was lost).
    /// - Returns: Whether its outcome is durable (acknowledged by the broker), so its offset may be committed, and
    ///   what it wrote to the attempt journal.
    func runJob(_ work: RecordWork, earlier: JournalLedger.Earlier?, windDown: CallWindDown) async -> JobEnd {
        switch work {
        case .start(let request, let recordTime, let trace):
            guard let journal = self.journal else {
                var unjournaled: JournalAttemptState? = nil
                let finished = await self.process(request, recordTime: recordTime, trace: trace, windDown: windDown, attempt: &unjournaled)
                return JobEnd(finished: finished)
            }
            var request = request
            var attempt = JournalAttemptState()
            switch earlier {
            case .decided(let event):
                let published = await self.publishDecided(request, event: event)
                return JobEnd(finished: published, journal: attempt.report(leaving: published ? nil : earlier))
            case .inDoubt(let inDoubt):
                self.metrics.journalInDoubt.increment()
                self.count { $0.inDoubt += 1 }
                if journal.inDoubtPolicy == .fail { return await self.failInDoubt(request, inDoubt, journal: journal) }
                request.possibleDuplicate = true
                attempt.inherited = inDoubt
            case nil:
                break
            }
            var journaled: JournalAttemptState? = attempt
            let finished = await self.process(request, recordTime: recordTime, trace: trace, windDown: windDown, attempt: &journaled)
            return await self.settleAttempt(journaled!, request: request, finished: finished, journal: journal)
        case .deadLetter(let message, let rejection):
            return JobEnd(finished: await self.deadLetter(message, rejection))
        }
    }

    /// Start (riding out an outage, see ``startRidingOutOutages(_:windDown:attempt:)``), then publish the outcome.
    /// Traced as one consumer span (continuing the record's trace) with a client span per Start request and a
    /// producer span for the publish, whose context the event carries.
    private func process(
        _ request: StartRequest, recordTime: Date?, trace: ServiceContext, windDown: CallWindDown,
        attempt: inout JournalAttemptState?
    ) async -> Bool {
        let span = self.tracer.startSpan("codetask.process", context: trace, ofKind: .consumer)
        defer { span.end() }
        span.attributes["messaging.system"] = "kafka"
        span.attributes["messaging.destination.name"] = request.source.topic
        span.attributes["messaging.kafka.partition"] = Int(request.source.partition)
        span.attributes["messaging.kafka.offset"] = Int(request.source.offset)
        span.attributes["codetask.request_id"] = request.requestId
        span.attributes["codetask.code_task_id"] = request.codeTaskId
        let began = ContinuousClock.now
        self.count { $0.inFlight += 1 }
        defer { self.count { $0.inFlight -= 1 } }
        var request = request
        let outcome = await ServiceContext.withValue(span.context) {
            await self.startRidingOutOutages(&request, windDown: windDown, attempt: &attempt)
        }
        guard let outcome else { return false }
        CrashPoint.reach(.afterAnswer)
        let latency = ContinuousClock.now - began
        self.metrics.startDuration.recordNanoseconds(latency.wholeNanoseconds)
        let publishSpan = self.tracer.startSpan("codetask.publish", context: span.context, ofKind: .producer)
        let trace = RecordTracing.headers(carrying: publishSpan.context, tracer: self.tracer)
        let event: KafkaOutgoingMessage
        switch outcome {
        case .started(let started):
            self.metrics.startAttempts(started.attempts)
            event = self.events.started(request, started, latency: latency, trace: trace)
        case .failed(let failure):
            self.metrics.startAttempts(failure.attempts)
            event = self.events.failed(request, StartFailure(failure), trace: trace)
        }
        // With the journal, the outcome is stored before it is published: a kill from here on starts nothing again.
        if let journal = self.journal, attempt?.written == true,
            let offset = await self.closeAnswered(request, event: event, journal: journal)
        {
            attempt?.answered = event
            attempt?.wrote(offset)
            CrashPoint.reach(.afterClose)
        }
        let published = await self.publishOrDeadLetter(event, source: request.source)
        publishSpan.end()
        guard published else { return false }
        CrashPoint.reach(.afterEvent)
        switch outcome {
        case .started(let started):
            span.attributes["informatica.job_id"] = started.jobId
            self.count { $0.started += 1 }
            self.metrics.eventPublished("started")
            self.logger.info(
                "Code task started; event published",
                metadata: request.logMetadata.merging([RecordLogKey.jobId: .string(started.jobId)]) { $1 })
        case .failed(let failure):
            span.setStatus(SpanStatus(code: .error, message: failure.category.rawValue))
            self.logger.info(
                "Code task not started; failed event published",
                metadata: request.logMetadata.merging(["informatica.category": .string(failure.category.rawValue)]) { $1 })
            self.count { $0.failed += 1 }
            self.metrics.eventPublished("failed")
            self.metrics.startFailed(failure.category.rawValue)
        }
        if let recordTime {
            self.metrics.endToEndDuration.recordNanoseconds(RecordAge.nanoseconds(since: recordTime, now: Date()))
        }
        return true
    }

    /// A record that is not a valid request: copied to the dead-letter topic with the reason (shortened to fit),
    /// plus a `codetask.start.failed` event when its code task id could be read.
    private func deadLetter(_ message: KafkaMessage, _ rejection: RequestRejection) async -> Bool {
        let source = RecordSource(message)
        guard await self.publishDeadLetter(self.deadLetters.rejected(message, rejection), source: source, reason: rejection.reason)
        else { return false }
        if let codeTaskId = rejection.codeTaskId {
            let request = StartRequest(
                requestId: rejection.requestId ?? source.description, codeTaskId: codeTaskId, orderingKey: codeTaskId,
                contextJSON: nil, traceparent: nil, source: source)
            guard await self.publishOrDeadLetter(self.events.failed(request, StartFailure(rejection)), source: source) else {
                return false
            }
            self.count { $0.failed += 1 }
            self.metrics.eventPublished("failed")
            self.metrics.startFailed(InformaticaFailure.Category.invalidRequest.rawValue)
        }
        return true
    }

    /// Publishes an event; one Kafka will never take is dead-lettered with reason `publish_failed` instead.
    /// - Returns: Whether an outcome is durable.
    func publishOrDeadLetter(_ event: KafkaOutgoingMessage, source: RecordSource) async -> Bool {
        switch await self.publish(event) {
        case .acknowledged:
            return true
        case .abandoned:
            return false
        case .refused(let error):
            self.logger.warning(
                "Event refused by Kafka; dead-lettering it", metadata: source.logMetadata.merging(["error": "\(error)"]) { $1 })
            let record = self.deadLetters.publishFailed(event, source: source, error: error)
            return await self.publishDeadLetter(record, source: source, reason: .publishFailed)
        }
    }

    /// Publishes a dead letter; if Kafka refuses even that, the coordinates-only record; if it refuses that
    /// too (the dead-letter topic is unwritable), the worker stops rather than lose or stall the record.
    private func publishDeadLetter(_ record: KafkaOutgoingMessage, source: RecordSource, reason: RequestRejection.Reason) async
        -> Bool
    {
        var record = record
        for fallback in [true, false] {
            switch await self.publish(record) {
            case .acknowledged:
                self.count { $0.deadLettered += 1 }
                self.metrics.deadLettered(reason.rawValue)
                return true
            case .abandoned:
                return false
            case .refused(let error):
                guard fallback else {
                    self.publisher.failFatally("the dead-letter topic refuses records: \(error)")
                    return false
                }
                self.logger.warning(
                    "Dead letter refused by Kafka; writing its coordinates only",
                    metadata: source.logMetadata.merging(["error": "\(error)"]) { $1 })
                record = self.deadLetters.minimal(source: source, reason: reason)
            }
        }
        return false
    }

    /// Publishes an output record until acknowledged, counting retries.
    private func publish(_ record: KafkaOutgoingMessage) async -> EventPublisher.Result {
        await self.publisher.publish(record, onRetry: {
            self.count { $0.publishRetries += 1 }
            self.metrics.publishRetries.increment()
        })
    }

    /// Starts the code task. While the circuit breaker judges Informatica down, the request is held rather than
    /// failed: a call the breaker turned away is simply repeated once it lets calls through, and a call that ran
    /// out of attempts or time while the breaker was not closed is tried again after it closes, up to
    /// ``WorkerConfiguration/maxOutageRetries`` times (so a task that fails on its own cannot be held forever).
    /// Once the worker is stopping, a held request is given up instead (Informatica did not act on it, so the
    /// next owner may start it without a duplicate). A wound-down job sends no new request: it ends with the
    /// answer to a request already sent, or with no outcome. With the attempt journal (`attempt` not `nil`), the
    /// attempt is recorded before the first Start request, and whether Informatica may have acted is kept.
    ///
    /// Whether a job may have started belongs to the record, not to one call: the outcome carries the attempts of
    /// every call made for it (so `attempts` and `inDoubtAttempts` count them all), and when an earlier call may
    /// have acted, `request` is marked ``StartRequest/possibleDuplicate``.
    /// - Returns: The outcome to publish, or `nil` when the job was cancelled, wound down before an answer, or
    ///   gave up while stopping.
    private func startRidingOutOutages(
        _ request: inout StartRequest, windDown: CallWindDown, attempt: inout JournalAttemptState?
    ) async -> StartOutcome? {
        var calls = CallHistory()
        defer { if calls.mayHaveActed { request.possibleDuplicate = true } }
        var outageRetries = 0
        // Whether the request waited for the breaker or an outage: once stopping, such a request is given up.
        // (The machine decides whether a record may begin at all; a job it began during a stop closes a gap.)
        var held = false
        while true {
            // Wait while the breaker turns calls away, rather than spend attempts on it.
            while self.breakerTurnsCallsAway, !self.isStopping, !windDown.isRequested {
                held = true
                guard await self.waitWhileHeld() else { return nil }
            }
            if Task.isCancelled || windDown.isRequested || (self.isStopping && (held || self.breakerTurnsCallsAway)) {
                return nil
            }
            if let journal = self.journal, attempt?.written == false {
                guard await self.recordAttempt(request, &attempt!, journal: journal) else { return nil }
            }
            // Until the call says otherwise, a request may be on its way.
            let actedBefore = attempt?.mayHaveActed ?? false
            attempt?.mayHaveActed = true
            let outcome = await self.client.startCodeTask(
                codeTaskId: request.codeTaskId, traceparent: request.traceparent, windDown: windDown)
            guard case .failed(let failure) = outcome else { return calls.merged(outcome) }
            // A request cancelled on the wire is recorded in doubt too, so the attempts alone tell.
            attempt?.mayHaveActed = actedBefore || !Attempt.certainlyNotActed(failure.attempts)
            // Wound down between attempts: no outcome (the code alone could come from Informatica's answer).
            if Task.isCancelled || (windDown.isRequested && failure.code == InformaticaFailure.cancelledCode) { return nil }
            if failure.isCircuitOpen {
                // Informatica was not called again; earlier attempts of this call may have reached it.
                calls.ended(failure)
                held = true
                guard !self.isStopping else { return nil }
                guard await self.waitWhileHeld() else { return nil }
                continue
            }
            // Only a failure Informatica certainly did not act on may be tried again (never an in-doubt one).
            let duringOutage = failure.allowsOutageHold && self.client.circuitBreakerState != .closed
            guard duringOutage, outageRetries < self.configuration.maxOutageRetries else { return calls.merged(outcome) }
            if self.isStopping || windDown.isRequested { return nil }
            calls.ended(failure)
            outageRetries += 1
            held = true
            self.logger.info(
                "Start failed while Informatica is judged down; holding the request",
                metadata: request.logMetadata.merging(["outageRetry": "\(outageRetries)"]) { $1 })
        }
    }

    /// Waits 200 ms for the breaker, counted as held meanwhile.
    /// - Returns: `false` when the wait was cancelled.
    private func waitWhileHeld() async -> Bool {
        self.count { $0.held += 1 }
        self.metrics.requestsHeld.increment()
        defer {
            self.count { $0.held -= 1 }
            self.metrics.requestsHeld.decrement()
        }
        do { try await Task.sleep(for: .milliseconds(200)) } catch { return false }
        return true
    }

    /// Whether the breaker turns calls away now; once its open period is over, the next call is the probe.
    private var breakerTurnsCallsAway: Bool {
        guard case .open(let until) = self.client.circuitBreakerState else { return false }
        return Date() < until
    }

    /// Whether a stop has begun: held requests are given up rather than tried again.
    var isStopping: Bool { self.stopping.load(ordering: .relaxed) }
}
