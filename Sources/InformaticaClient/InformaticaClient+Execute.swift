import Foundation
import Logging
import Tracing

extension InformaticaClient {
    /// A 2xx response with the attempts that led to it.
    struct Delivered: Sendable {
        var response: TransportResponse
        var attempts: [Attempt]
    }

    /// Runs one call under the retry policy, the rate limit, the circuit breaker and the session rules.
    ///
    /// - Returns: The 2xx response, or a classified failure. Permanent errors are never retried;
    ///   session errors lead to a new login (shared by all callers) and an immediate retry;
    ///   retriable errors back off with full jitter, `Retry-After` as a floor, within the attempt limit
    ///   and the deadline.
    func execute(_ plan: CallPlan) async -> Result<Delivered, InformaticaFailure> {
        guard self.gate.enter() else {
            return .failure(
                InformaticaFailure(
                    category: .rejected,
                    httpStatus: nil,
                    code: "client_shut_down",
                    message: "the Informatica client is shut down",
                    requestId: nil,
                    attempts: []
                )
            )
        }
        defer { self.gate.leave() }
        let logger = CallLogger(logger: self.logger, metadata: plan.metadata)
        let policy = self.configuration.retry
        let deadline = self.clock.now().adding(policy.deadline)
        var run = CallRun(deadline: deadline)

        while true {
            if Task.isCancelled || plan.windDown?.isRequested == true { return .failure(run.cancelled()) }
            let permit = self.breaker.acquire()
            guard case .allowed(let probe) = permit else {
                guard case .rejected(let retryAt) = permit, retryAt < deadline else {
                    return .failure(
                        run.failure(
                            .deadlineExceeded,
                            code: InformaticaFailure.circuitOpenCode,
                            message: "the circuit breaker stayed open past the call's deadline"
                        )
                    )
                }
                logger.debug("Circuit breaker open; waiting", [LogKey.delay: "\(retryAt.timeIntervalSince(self.clock.now()))"])
                if !(await self.pause(retryAt.duration(since: self.clock.now()), windDown: plan.windDown)) {
                    return .failure(run.cancelled())
                }
                continue
            }

            let loginStarted = self.clock.now()
            let session: Session
            do {
                session = try await self.sessions.session()
            } catch {
                if Task.isCancelled {
                    self.breaker.record(.neutral, probe: probe)
                    return .failure(run.cancelled())
                }
                let details = self.sessions.redactor(error.details)
                run.record(
                    target: .login,
                    status: error.status,
                    outcome: error.outcome,
                    delivery: error.status == nil ? .notSent : .rejected,
                    latency: self.clock.now().duration(since: loginStarted),
                    details: details
                )
                // A login shared by several callers counts once (for the caller that made it).
                self.breaker.record(error.outcome == .retriable && !error.shared ? .failure : .neutral, probe: probe)
                if error.outcome != .retriable {
                    return .failure(run.failure(.rejected, code: details.code ?? "login_failed", message: "login failed: \(details.message)"))
                }
                if let failure = await self.backOff(&run, retryAfter: nil, windDown: plan.windDown, logger: logger) { return .failure(failure) }
                continue
            }
            let result = await self.attempt(plan, session: session, probe: probe, run: &run, logger: logger)
            await self.sessions.release(sessionId: session.id)
            switch result {
            case .finished(let outcome): return outcome
            case .again(let retryAfter):
                if let failure = await self.backOff(&run, retryAfter: retryAfter, windDown: plan.windDown, logger: logger) { return .failure(failure) }
            case .againNow:
                continue
            }
        }
    }

    /// What one attempt leads to.
    private enum AttemptResult {
        /// The call is over.
        case finished(Result<Delivered, InformaticaFailure>)
        /// Back off (at least `retryAfter`), then try again.
        case again(retryAfter: Duration?)
        /// Try again at once (a new login is due).
        case againNow
    }

    /// Takes a rate-limit token (only for a call about to be sent), sends one request with `session` and
    /// classifies what came back: not sent, rejected, in doubt, answer unreadable or accepted.
    private func attempt(
        _ plan: CallPlan,
        session: Session,
        probe: Bool,
        run: inout CallRun,
        logger: CallLogger
    ) async -> AttemptResult {
        let policy = self.configuration.retry
        if plan.rateLimited, let limiter = self.rateLimiter {
            let now = self.clock.now()
            guard let wait = limiter.reserve(now: now, maxWait: run.deadline.duration(since: now)) else {
                self.breaker.record(.neutral, probe: probe)
                return .finished(
                    .failure(
                        run.failure(.deadlineExceeded, code: "rate_limited", message: "the rate limit would delay the call past its deadline")
                    )
                )
            }
            if !(await self.pause(wait, windDown: plan.windDown)) {
                self.breaker.record(.neutral, probe: probe)
                return .finished(.failure(run.cancelled()))
            }
        }
        if Task.isCancelled || plan.windDown?.isRequested == true {
            self.breaker.record(.neutral, probe: probe)
            return .finished(.failure(run.cancelled()))
        }
        let now = self.clock.now()
        let remaining = run.deadline.duration(since: now)
        guard remaining > .zero else {
            self.breaker.record(.neutral, probe: probe)
            return .finished(.failure(run.failure(.deadlineExceeded, code: "deadline", message: "the call's deadline passed")))
        }
        // One client span per request sent, its context written into the request's headers.
        let span = self.tracer.startSpan(plan.spanName, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        var request = plan.makeRequest(session, min(policy.attemptTimeout, remaining))
        request.headers = TraceHeaders.with(span.context, written: request.headers, by: self.tracer)
        if span.isRecording { span.attributes["http.request.method"] = request.method.rawValue }
        let result = await self.exchange(request, session: session, probe: probe, sentAt: now, run: &run, logger: logger)
        if span.isRecording, let last = run.attempts.last {
            if let status = last.status { span.attributes["http.response.status_code"] = status }
            span.attributes["informatica.delivery"] = last.delivery.rawValue
        }
        return result
    }

    /// Sends one request and classifies what came back.
    private func exchange(
        _ request: TransportRequest, session: Session, probe: Bool, sentAt now: Date, run: inout CallRun, logger: CallLogger
    ) async -> AttemptResult {
        var response: TransportResponse
        do {
            response = try await self.transport.send(request, logger: self.logger)
        } catch {
            let latency = self.clock.now().duration(since: now)
            guard let transportError = error as? TransportError, !Task.isCancelled else {
                // The caller gave up; that says nothing about the service's health. Unless the transport says
                // the request was never written, it may have been.
                let stage = (error as? TransportError)?.stage
                run.record(
                    target: .request,
                    status: nil,
                    outcome: .retriable,
                    delivery: stage == .notSent ? .notSent : .inDoubt,
                    latency: latency,
                    details: ErrorDetails(code: InformaticaFailure.cancelledCode, message: "cancelled", requestId: nil)
                )
                self.breaker.record(.neutral, probe: probe)
                return .finished(.failure(run.cancelled()))
            }
            switch transportError.stage {
            case .notSent, .sent:
                return self.brokenExchange(transportError, probe: probe, latency: latency, run: &run, logger: logger)
            case .answered(let status, let partial) where (200..<300).contains(status):
                return self.unreadable(status: status, partial: partial, reason: transportError.message, latency: latency, probe: probe, run: &run)
            case .answered(let status, let partial):
                // A refusal (or a gateway error) whose body broke: the status decides, as for a whole answer.
                response = TransportResponse(status: status, headers: [], body: partial)
            }
        }
        return self.answered(response, session: session, probe: probe, latency: self.clock.now().duration(since: now), run: &run, logger: logger)
    }

    /// A request that got no status line: never sent (the service is unreachable: a breaker failure) or
    /// written and then lost (in doubt: not a breaker failure, and the end of the call under `inDoubt: fail`).
    private func brokenExchange(
        _ error: TransportError,
        probe: Bool,
        latency: Duration,
        run: inout CallRun,
        logger: CallLogger
    ) -> AttemptResult {
        let delivery: Attempt.Delivery = error.stage == .notSent ? .notSent : .inDoubt
        run.record(
            target: .request,
            status: nil,
            outcome: .retriable,
            delivery: delivery,
            latency: latency,
            details: ErrorDetails(code: error.code, message: error.message, requestId: nil)
        )
        self.breaker.record(delivery == .notSent ? .failure : .neutral, probe: probe)
        logger.info(
            "Informatica call failed without a response",
            [LogKey.attempt: "\(run.attempts.count)", LogKey.error: "\(error)", LogKey.delivery: "\(delivery.rawValue)"]
        )
        if delivery == .inDoubt, self.configuration.retry.inDoubt == .fail {
            return .finished(
                .failure(run.failure(.inDoubt, code: error.code, message: "the request was sent and its fate is unknown: \(error.message)"))
            )
        }
        return .again(retryAfter: nil)
    }

    /// A 2xx status line whose answer broke: the job probably runs, so the call ends without another Start.
    private func unreadable(
        status: Int,
        partial: [UInt8],
        reason: String,
        latency: Duration,
        probe: Bool,
        run: inout CallRun
    ) -> AttemptResult {
        let read = ErrorDetails.excerpt(self.sessions.redactor(String(decoding: partial, as: UTF8.self)))
        let details = ErrorDetails(code: "answer_unreadable", message: "HTTP \(status) answer broke (\(reason)); read: \(read)", requestId: nil)
        run.record(target: .request, status: status, outcome: .success, delivery: .answerUnreadable, latency: latency, details: details)
        self.breaker.record(.neutral, probe: probe)
        return .finished(.failure(run.failure(.answerUnreadable, code: details.code, message: details.message)))
    }

    /// A whole answer (or the status of one whose body broke), classified by its status.
    private func answered(
        _ response: TransportResponse,
        session: Session,
        probe: Bool,
        latency: Duration,
        run: inout CallRun,
        logger: CallLogger
    ) -> AttemptResult {
        let policy = self.configuration.retry
        let details = (200..<300).contains(response.status)
            ? nil : self.sessions.redactor(ErrorDetails(body: response.body, status: response.status))
        let outcome = OutcomeClassifier.classify(status: response.status, details: details)
        let delivery = OutcomeClassifier.delivery(status: response.status)
        run.record(target: .request, status: response.status, outcome: outcome, delivery: delivery, latency: latency, details: details)
        logger.debug(
            "Informatica attempt",
            [LogKey.attempt: "\(run.attempts.count)", LogKey.status: "\(response.status)", LogKey.outcome: "\(outcome.rawValue)"]
        )
        switch outcome {
        case .success:
            self.breaker.record(.healthy, probe: probe)
            self.sessions.markUsed(sessionId: session.id)
            return .finished(.success(Delivered(response: response, attempts: run.attempts)))
        case .permanent:
            self.breaker.record(.healthy, probe: probe)
            return .finished(
                .failure(run.failure(.rejected, code: details?.code ?? "http_\(response.status)", message: details?.message ?? "HTTP \(response.status)"))
            )
        case .session:
            self.breaker.record(.neutral, probe: probe)
            guard self.configuration.session.canLogin else {
                return .finished(
                    .failure(
                        run.failure(
                            .rejected,
                            code: details?.code ?? "session_rejected",
                            message: "the fixed session id was rejected: \(details?.message ?? "HTTP \(response.status)")"
                        )
                    )
                )
            }
            self.sessions.invalidate(sessionId: session.id)
            logger.info("Informatica session rejected; logging in again", [LogKey.status: "\(response.status)"])
            if run.attempts.count >= policy.maxAttempts {
                return .finished(.failure(run.failure(.retriesExhausted, code: details?.code, message: details?.message ?? "session rejected")))
            }
            return .againNow
        case .retriable:
            // A 500/502/504 may have started the job: in doubt, not a breaker failure. 408/429/503 started nothing.
            self.breaker.record(delivery == .inDoubt ? .neutral : .failure, probe: probe)
            logger.info(
                "Informatica call failed; retrying",
                [
                    LogKey.attempt: "\(run.attempts.count)", LogKey.status: "\(response.status)",
                    LogKey.requestId: "\(details?.requestId ?? "none")", LogKey.delivery: "\(delivery.rawValue)",
                ]
            )
            if delivery == .inDoubt, policy.inDoubt == .fail {
                return .finished(
                    .failure(
                        run.failure(.inDoubt, code: details?.code ?? "http_\(response.status)", message: details?.message ?? "HTTP \(response.status)")
                    )
                )
            }
            let now = self.clock.now()
            let retryAfter = RetryAfter.parse(response.header("Retry-After"), now: now)
            // Informatica says slow down: every Start call of this member waits, not only this one.
            if response.status == 429, let retryAfter, let limiter = self.rateLimiter {
                limiter.hold(until: now.addingTimeInterval(retryAfter.inSeconds))
            }
            return .again(retryAfter: retryAfter)
        }
    }

    /// Sleeps before the next attempt, or returns the failure that ends the call.
    private func backOff(
        _ run: inout CallRun, retryAfter: Duration?, windDown: CallWindDown?, logger: CallLogger
    ) async -> InformaticaFailure? {
        let policy = self.configuration.retry
        let last = run.lastDetails
        if run.attempts.count >= policy.maxAttempts {
            return run.failure(.retriesExhausted, code: last?.code, message: last?.message ?? "all attempts failed")
        }
        let delay = policy.delay(afterAttempt: run.attempts.count, retryAfter: retryAfter, jitter: self.jitter())
        if self.clock.now().adding(delay) >= run.deadline {
            return run.failure(
                .deadlineExceeded,
                code: last?.code,
                message: "the next retry would pass the call's deadline; last error: \(last?.message ?? "none")"
            )
        }
        logger.debug("Backing off", [LogKey.delay: "\(delay)"])
        guard await self.pause(delay, windDown: windDown) else {
            return run.cancelled()
        }
        return nil
    }

    /// Sleeps on the injected clock; `false` when cancelled or wound down (at once, even mid-sleep).
    private func pause(_ duration: Duration, windDown: CallWindDown?) async -> Bool {
        guard windDown?.isRequested != true else { return false }
        guard duration > .zero else { return !Task.isCancelled }
        guard let windDown else { return await self.sleep(duration) }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.sleep(duration) }
            group.addTask {
                await windDown.wait()
                return false
            }
            let slept = await group.next() ?? false
            group.cancelAll()
            return slept && !windDown.isRequested
        }
    }

    private func sleep(_ duration: Duration) async -> Bool {
        do {
            try await self.clock.sleep(for: duration)
            return true
        } catch {
            return false
        }
    }
}

/// The attempts and last error of one call in progress.
struct CallRun {
    let deadline: Date
    private(set) var attempts: [Attempt] = []
    private(set) var lastStatus: Int?
    private(set) var lastDetails: ErrorDetails?

    init(deadline: Date) {
        self.deadline = deadline
    }

    mutating func record(
        target: Attempt.Target,
        status: Int?,
        outcome: OutcomeClass,
        delivery: Attempt.Delivery,
        latency: Duration,
        details: ErrorDetails?
    ) {
        self.attempts.append(
            Attempt(
                number: self.attempts.count + 1,
                target: target,
                status: status,
                outcome: outcome,
                latency: latency,
                errorCode: details?.code,
                delivery: delivery
            )
        )
        self.lastStatus = status ?? self.lastStatus
        if let details { self.lastDetails = details }
    }

    /// The failure of a call whose task was cancelled.
    func cancelled() -> InformaticaFailure {
        self.failure(.deadlineExceeded, code: InformaticaFailure.cancelledCode, message: "the call was cancelled")
    }

    func failure(_ category: InformaticaFailure.Category, code: String?, message: String) -> InformaticaFailure {
        InformaticaFailure(
            category: category,
            httpStatus: self.lastStatus,
            code: code,
            message: message,
            requestId: self.lastDetails?.requestId,
            attempts: self.attempts
        )
    }
}
