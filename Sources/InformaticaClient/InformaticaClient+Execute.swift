import Foundation
import Logging

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
            if Task.isCancelled { return .failure(run.failure(.deadlineExceeded, code: "cancelled", message: "the call was cancelled")) }
            if plan.rateLimited, let limiter = self.rateLimiter {
                let now = self.clock.now()
                guard let wait = limiter.reserve(now: now, maxWait: deadline.duration(since: now)) else {
                    return .failure(
                        run.failure(
                            .deadlineExceeded,
                            code: "rate_limited",
                            message: "the rate limit would delay the call past its deadline"
                        )
                    )
                }
                if !(await self.pause(wait)) {
                    return .failure(run.failure(.deadlineExceeded, code: "cancelled", message: "the call was cancelled"))
                }
            }
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
                if !(await self.pause(retryAt.duration(since: self.clock.now()))) {
                    return .failure(run.failure(.deadlineExceeded, code: "cancelled", message: "the call was cancelled"))
                }
                continue
            }

            let loginStarted = self.clock.now()
            let session: Session
            do {
                session = try await self.sessions.session()
            } catch {
                run.record(
                    target: .login,
                    status: error.status,
                    outcome: error.outcome,
                    latency: self.clock.now().duration(since: loginStarted),
                    details: error.details
                )
                self.breaker.record(error.outcome == .retriable ? .failure : .neutral, probe: probe)
                if error.outcome != .retriable {
                    return .failure(
                        run.failure(
                            .rejected,
                            code: error.details.code ?? "login_failed",
                            message: "login failed: \(error.details.message)"
                        )
                    )
                }
                if let failure = await self.backOff(&run, retryAfter: nil, logger: logger) { return .failure(failure) }
                continue
            }

            let now = self.clock.now()
            let remaining = deadline.duration(since: now)
            guard remaining > .zero else {
                self.breaker.record(.neutral, probe: probe)
                return .failure(run.failure(.deadlineExceeded, code: "deadline", message: "the call's deadline passed"))
            }
            let request = plan.makeRequest(session, min(policy.attemptTimeout, remaining))
            let response: TransportResponse
            do {
                response = try await self.transport.send(request, logger: self.logger)
            } catch {
                let transportError = error as? TransportError ?? .connection("cancelled")
                run.record(
                    target: .request,
                    status: nil,
                    outcome: .retriable,
                    latency: self.clock.now().duration(since: now),
                    details: ErrorDetails(code: transportError.code, message: transportError.message, requestId: nil)
                )
                if error is CancellationError || Task.isCancelled {
                    // The caller gave up; that says nothing about the service's health.
                    self.breaker.record(.neutral, probe: probe)
                    return .failure(run.failure(.deadlineExceeded, code: "cancelled", message: "the call was cancelled"))
                }
                self.breaker.record(.failure, probe: probe)
                logger.info(
                    "Informatica call failed without a response",
                    [LogKey.attempt: "\(run.attempts.count)", LogKey.error: "\(transportError)"]
                )
                if let failure = await self.backOff(&run, retryAfter: nil, logger: logger) { return .failure(failure) }
                continue
            }

            let latency = self.clock.now().duration(since: now)
            let details = (200..<300).contains(response.status) ? nil : ErrorDetails(body: response.body, status: response.status)
            let outcome = OutcomeClassifier.classify(status: response.status, details: details)
            run.record(target: .request, status: response.status, outcome: outcome, latency: latency, details: details)
            logger.debug(
                "Informatica attempt",
                [
                    LogKey.attempt: "\(run.attempts.count)", LogKey.status: "\(response.status)", LogKey.outcome: "\(outcome.rawValue)",
                ]
            )
            switch outcome {
            case .success:
                self.breaker.record(.healthy, probe: probe)
                self.sessions.markUsed(sessionId: session.id)
                return .success(Delivered(response: response, attempts: run.attempts))
            case .permanent:
                self.breaker.record(.healthy, probe: probe)
                return .failure(
                    run.failure(
                        .rejected,
                        code: details?.code ?? "http_\(response.status)",
                        message: details?.message ?? "HTTP \(response.status)"
                    )
                )
            case .session:
                self.breaker.record(.neutral, probe: probe)
                guard self.configuration.session.canLogin else {
                    return .failure(
                        run.failure(
                            .rejected,
                            code: details?.code ?? "session_rejected",
                            message: "the fixed session id was rejected: \(details?.message ?? "HTTP \(response.status)")"
                        )
                    )
                }
                self.sessions.invalidate(sessionId: session.id)
                logger.info("Informatica session rejected; logging in again", [LogKey.status: "\(response.status)"])
                if run.attempts.count >= policy.maxAttempts {
                    return .failure(run.failure(.retriesExhausted, code: details?.code, message: details?.message ?? "session rejected"))
                }
            case .retriable:
                self.breaker.record(.failure, probe: probe)
                let retryAfter = RetryAfter.parse(response.header("Retry-After"), now: self.clock.now())
                logger.info(
                    "Informatica call failed; retrying",
                    [
                        LogKey.attempt: "\(run.attempts.count)", LogKey.status: "\(response.status)",
                        LogKey.requestId: "\(details?.requestId ?? "none")",
                    ]
                )
                if let failure = await self.backOff(&run, retryAfter: retryAfter, logger: logger) { return .failure(failure) }
            }
        }
    }

    /// Sleeps before the next attempt, or returns the failure that ends the call.
    private func backOff(_ run: inout CallRun, retryAfter: Duration?, logger: CallLogger) async -> InformaticaFailure? {
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
        guard await self.pause(delay) else {
            return run.failure(.deadlineExceeded, code: "cancelled", message: "the call was cancelled")
        }
        return nil
    }

    /// Sleeps on the injected clock; `false` when cancelled.
    private func pause(_ duration: Duration) async -> Bool {
        guard duration > .zero else { return !Task.isCancelled }
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

    mutating func record(target: Attempt.Target, status: Int?, outcome: OutcomeClass, latency: Duration, details: ErrorDetails?) {
        self.attempts.append(
            Attempt(
                number: self.attempts.count + 1,
                target: target,
                status: status,
                outcome: outcome,
                latency: latency,
                errorCode: details?.code
            )
        )
        self.lastStatus = status ?? self.lastStatus
        if let details { self.lastDetails = details }
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
