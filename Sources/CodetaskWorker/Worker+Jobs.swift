import Foundation
import InformaticaClient
import Kafka
import Logging
import Tracing

extension Worker {
    /// One record's work; `context` says what an earlier attempt at the record left and how often it may still be
    /// held for an outage (the worker core keeps both); `windDown` asks a Start job to send no further request (its
    /// partition was lost); `callOver` is called once the job will send no Start request any more (its call answered,
    /// or none to make), so its in-flight slot serves the next Start while it stores and publishes the outcome.
    /// - Returns: Whether its outcome is durable (acknowledged by the broker), so its offset may be committed, what
    ///   it wrote to the attempt journal, and whether it was held (the core starts it again).
    func runJob(
        _ work: RecordWork, context: Core.JobContext, windDown: CallWindDown, callOver: @escaping @Sendable () -> Void
    ) async -> JobEnd {
        switch work {
        case .start(let request, let recordTime, let trace, let calls):
            var call = StartCall(
                recordTime: recordTime, trace: trace, calls: calls, outageRetriesLeft: context.outageRetriesLeft, windDown: windDown)
            guard let journal = self.journal else {
                var unjournaled: JournalAttemptState? = nil
                let end = await self.process(request, call, attempt: &unjournaled, callOver: callOver)
                return JobEnd(finished: end.isFinished, held: end.held(request, call))
            }
            var request = request
            var attempt = JournalAttemptState()
            switch context.earlier {
            case .decided(let event):
                callOver()
                let published = await self.publishDecided(request, event: event)
                return JobEnd(finished: published, journal: attempt.report(leaving: published ? nil : context.earlier))
            case .inDoubt(let inDoubt):
                if !call.calls.inDoubtCounted {
                    self.metrics.journalInDoubt.increment()
                    self.count { $0.inDoubt += 1 }
                    call.calls.inDoubtCounted = true
                }
                if journal.inDoubtPolicy == .fail {
                    callOver()
                    return await self.failInDoubt(request, inDoubt, journal: journal)
                }
                request.possibleDuplicate = true
                attempt.inherited = inDoubt
            case nil:
                break
            }
            var journaled: JournalAttemptState? = attempt
            let end = await self.process(request, call, attempt: &journaled, callOver: callOver)
            var settled = await self.settleAttempt(journaled!, request: request, finished: end.isFinished, journal: journal)
            settled.held = end.held(request, call)
            return settled
        case .deadLetter(let message, let rejection):
            return JobEnd(finished: await self.deadLetter(message, rejection))
        }
    }

    /// What a Start job knows besides its request.
    struct StartCall: Sendable {
        /// The input record's timestamp.
        var recordTime: Date?
        /// The trace context the record's headers carry.
        var trace: ServiceContext
        /// The Start calls earlier (held) jobs of the record made.
        var calls: CallHistory
        /// How many more times a failed call during an outage may hold the record instead of failing it.
        var outageRetriesLeft: Int
        /// Asks the job to send no further request.
        var windDown: CallWindDown
    }

    /// How a Start job's processing ended.
    enum ProcessEnd: Sendable {
        /// Its outcome is published.
        case finished
        /// No outcome: cancelled, wound down before an answer, or its publish abandoned.
        case unfinished
        /// Held while Informatica is judged down, with the calls made so far (see ``WorkerCore/Held``).
        case held(CallHistory, outageRetry: Bool)

        var isFinished: Bool { if case .finished = self { true } else { false } }

        /// The work a held job leaves for the record's next start.
        func held(_ request: StartRequest, _ call: StartCall) -> Core.Held? {
            guard case .held(let calls, let outageRetry) = self else { return nil }
            return Core.Held(payload: .start(request, recordTime: call.recordTime, trace: call.trace, calls: calls), outageRetry: outageRetry)
        }
    }

    /// Start (unless Informatica is judged down, see ``startUnlessHeld(_:_:attempt:)``), then publish the outcome.
    /// Traced as one consumer span (continuing the record's trace) with a client span per Start request and a
    /// producer span for the publish, whose context the event carries.
    private func process(
        _ request: StartRequest, _ call: StartCall, attempt: inout JournalAttemptState?, callOver: () -> Void
    ) async -> ProcessEnd {
        let span = self.tracer.startSpan("codetask.process", context: call.trace, ofKind: .consumer)
        defer { span.end() }
        // Attributes only for a span that records them: building them for a no-op span (no tracer bootstrapped)
        // cost about 1 % of the worker's CPU.
        if span.isRecording {
            span.attributes["messaging.system"] = "kafka"
            span.attributes["messaging.destination.name"] = request.source.topic
            span.attributes["messaging.kafka.partition"] = Int(request.source.partition)
            span.attributes["messaging.kafka.offset"] = Int(request.source.offset)
            span.attributes["codetask.request_id"] = request.requestId
            span.attributes["codetask.code_task_id"] = request.codeTaskId
        }
        let began = ContinuousClock.now
        self.count { $0.inFlight += 1 }
        defer { self.count { $0.inFlight -= 1 } }
        var request = request
        let ended = await ServiceContext.withValue(span.context) {
            await self.startUnlessHeld(&request, call, attempt: &attempt)
        }
        let outcome: StartOutcome
        switch ended {
        case .outcome(let answered):
            outcome = answered
            callOver()
        case .noOutcome: return .unfinished
        case .held(let calls, let outageRetry): return .held(calls, outageRetry: outageRetry)
        }
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
        guard published else { return .unfinished }
        CrashPoint.reach(.afterEvent)
        switch outcome {
        case .started(let started):
            if span.isRecording { span.attributes["informatica.job_id"] = started.jobId }
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
        if let recordTime = call.recordTime {
            self.metrics.endToEndDuration.recordNanoseconds(RecordAge.nanoseconds(since: recordTime, now: Date()))
        }
        return .finished
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

    /// How one Start call of a job ended.
    private enum CallEnd {
        case outcome(StartOutcome)
        /// Cancelled, or wound down before an answer.
        case noOutcome
        /// Informatica is judged down: the job ends held (see ``WorkerCore/Held``) with the calls made so far.
        case held(CallHistory, outageRetry: Bool)
    }

    /// Starts the code task, unless Informatica is judged down: a call the breaker turns away (before it is sent,
    /// or by the client between attempts) holds the record, and so does a call that failed, certainly not acted
    /// on, while the breaker was not closed, up to ``WorkerConfiguration/maxOutageRetries`` times per record (so a
    /// task that fails on its own cannot be held forever). The worker core starts a held record again once the
    /// breaker admits calls, never after a stop began (Informatica did not act on it, so the next owner may start
    /// it without a duplicate). A wound-down job sends no new request: it ends with the answer to a request
    /// already sent, or with no outcome. With the attempt journal (`attempt` not `nil`), the attempt is recorded
    /// before the first Start request, and whether Informatica may have acted is kept.
    ///
    /// Whether a job may have started belongs to the record, not to one call: the outcome carries the attempts of
    /// every call made for it (so `attempts` and `inDoubtAttempts` count them all), and when an earlier call may
    /// have acted, `request` is marked ``StartRequest/possibleDuplicate``.
    private func startUnlessHeld(
        _ request: inout StartRequest, _ call: StartCall, attempt: inout JournalAttemptState?
    ) async -> CallEnd {
        var calls = call.calls
        defer { if calls.mayHaveActed { request.possibleDuplicate = true } }
        if self.breakerTurnsCallsAway { return .held(calls, outageRetry: false) }
        if Task.isCancelled || call.windDown.isRequested { return .noOutcome }
        if let journal = self.journal, attempt?.written == false {
            guard await self.recordAttempt(request, &attempt!, journal: journal) else { return .noOutcome }
        }
        // Until the call says otherwise, a request may be on its way.
        let actedBefore = attempt?.mayHaveActed ?? false
        attempt?.mayHaveActed = true
        let outcome = await self.client.startCodeTask(
            codeTaskId: request.codeTaskId, traceparent: request.traceparent, windDown: call.windDown)
        guard case .failed(let failure) = outcome else { return .outcome(calls.merged(outcome)) }
        // A request cancelled on the wire is recorded in doubt too, so the attempts alone tell.
        attempt?.mayHaveActed = actedBefore || !Attempt.certainlyNotActed(failure.attempts)
        // Wound down between attempts: no outcome (the code alone could come from Informatica's answer).
        if Task.isCancelled || (call.windDown.isRequested && failure.code == InformaticaFailure.cancelledCode) { return .noOutcome }
        if failure.isCircuitOpen {
            // Informatica was not called again; earlier attempts of this call may have reached it.
            calls.ended(failure)
            return .held(calls, outageRetry: false)
        }
        // Only a failure Informatica certainly did not act on may be tried again (never an in-doubt one).
        let duringOutage = failure.allowsOutageHold && self.client.circuitBreakerState != .closed
        guard duringOutage, call.outageRetriesLeft > 0 else { return .outcome(calls.merged(outcome)) }
        if call.windDown.isRequested { return .noOutcome }
        calls.ended(failure)
        self.logger.info(
            "Start failed while Informatica is judged down; holding the request",
            metadata: request.logMetadata.merging(["outageRetriesLeft": "\(call.outageRetriesLeft - 1)"]) { $1 })
        return .held(calls, outageRetry: true)
    }

    /// Whether the breaker turns calls away now; once its open period is over, the next call is the probe.
    private var breakerTurnsCallsAway: Bool {
        guard case .open(let until) = self.client.circuitBreakerState else { return false }
        return Date() < until
    }

    /// Whether a stop has begun: reads at assignment and the journal's settle wait are given up.
    var isStopping: Bool { self.stopping.load(ordering: .relaxed) }
}
