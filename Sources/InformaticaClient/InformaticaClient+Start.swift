import Foundation

extension InformaticaClient {
    /// The Start path below the server URL.
    static let startPath = "/disnext/api/v1/CodeTask/Start"

    /// Starts a code task: `POST <server URL>/disnext/api/v1/CodeTask/Start` with
    /// `Content-Type`/`Accept: application/json`, `IDS-SESSION-ID` and the body `{"codeTaskId": "<id>"}`.
    ///
    /// Retries retriable failures under the retry policy, renews the session when the service rejects it,
    /// takes a token from the rate limit (when configured) for each request it sends and waits while the
    /// circuit breaker is open, all within the policy's deadline.
    ///
    /// Start is not idempotent, so each attempt is classified (``Attempt/Delivery``): a request never written
    /// or refused (4xx, 429, 503) started nothing and is retried; one written and then lost (timeout, reset,
    /// 500/502/504) is in doubt and is retried only under ``RetryPolicy/InDoubtPolicy/retry``; once a 2xx
    /// status line arrived, Start is never sent again: a body that then breaks ends the call as
    /// `answer_unreadable`. At most ``RetryPolicy/maxAttempts`` requests are sent.
    ///
    /// Cancelling the calling task ends backoff sleeps and the request in flight at once; no attempt begins
    /// after cancellation. Winding down (`windDown`) ends waits at once and begins no attempt either, but lets
    /// a request already sent finish, so its answer is not lost.
    ///
    /// - Parameters:
    ///   - codeTaskId: The code task id, always sent as a JSON string.
    ///   - traceparent: A W3C trace context, sent as the `traceparent` header when given.
    ///   - windDown: A signal to end the call without another request (see ``CallWindDown``).
    /// - Returns: ``StartOutcome/started(_:)`` with the job id and the whole answer, or
    ///   ``StartOutcome/failed(_:)`` with a classified failure. A whole 2xx answer that is not a JSON object
    ///   with a `jobId` is an `answer_unreadable` failure with code `protocol_error`.
    public func startCodeTask(codeTaskId: String, traceparent: String? = nil, windDown: CallWindDown? = nil) async -> StartOutcome {
        if let problem = Self.problem(withCodeTaskId: codeTaskId) ?? Self.problem(withTraceparent: traceparent) {
            return .failed(
                InformaticaFailure(
                    category: .invalidRequest,
                    httpStatus: nil,
                    code: "invalid_request",
                    message: problem,
                    requestId: nil,
                    attempts: []
                )
            )
        }
        let body = Self.startBody(codeTaskId: codeTaskId)
        let trace = traceparent.flatMap { $0.isEmpty ? nil : $0 }
        var plan = CallPlan(name: "start", rateLimited: true, metadata: [LogKey.codeTaskId: codeTaskId]) { session, timeout in
            var headers = [("Content-Type", "application/json"), ("Accept", "application/json"), ("IDS-SESSION-ID", session.id.value)]
            if let trace { headers.append(("traceparent", trace)) }
            return TransportRequest(method: .post, url: session.serverURL + Self.startPath, headers: headers, body: body, timeout: timeout)
        }
        plan.windDown = windDown
        switch await self.execute(plan) {
        case .failure(let failure):
            self.logger.info("Code task start failed", metadata: [LogKey.codeTaskId: "\(codeTaskId)", LogKey.error: "\(failure)"])
            return .failed(failure)
        case .success(let delivered):
            // The answer is passed on byte for byte, except that an echoed session id or password is removed.
            let body = self.sessions.redactor(bytes: delivered.response.body)
            guard
                let started = CodeTaskStarted(
                    body: body,
                    httpStatus: delivered.response.status,
                    attempts: delivered.attempts
                )
            else {
                // The job probably runs: the answer is not retried, and the call ends as unreadable.
                let excerpt = ErrorDetails.excerpt(String(decoding: body, as: UTF8.self))
                var attempts = delivered.attempts
                if let last = attempts.indices.last { attempts[last].delivery = .answerUnreadable }
                let failure = InformaticaFailure(
                    category: .answerUnreadable,
                    httpStatus: delivered.response.status,
                    code: "protocol_error",
                    message: "a \(delivered.response.status) answer that is not a JSON object with a jobId: \(excerpt)",
                    requestId: nil,
                    attempts: attempts
                )
                self.logger.info("Code task start failed", metadata: [LogKey.codeTaskId: "\(codeTaskId)", LogKey.error: "\(failure)"])
                return .failed(failure)
            }
            self.logger.debug("Code task started", metadata: [LogKey.codeTaskId: "\(codeTaskId)", LogKey.jobId: "\(started.jobId)"])
            return .started(started)
        }
    }

    /// The Start body: `{"codeTaskId": "<id>"}`, the id always a JSON string.
    static func startBody(codeTaskId: String) -> [UInt8] {
        Array(("{\"codeTaskId\": " + JSONValue.string(codeTaskId).description + "}").utf8)
    }

    static func problem(withCodeTaskId id: String) -> String? {
        // ASCII ids (the usual case) are checked on their bytes, without grapheme and Unicode property lookups.
        if id.utf8.allSatisfy({ $0 < 0x80 }) {
            if id.utf8.allSatisfy({ $0 == 0x20 || (0x09...0x0D).contains($0) }) { return "codeTaskId must not be empty" }
            if id.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "codeTaskId must not contain control characters" }
            return nil
        }
        if id.allSatisfy(\.isWhitespace) { return "codeTaskId must not be empty" }
        if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "codeTaskId must not contain control characters"
        }
        return nil
    }

    private static func problem(withTraceparent value: String?) -> String? {
        guard let value else { return nil }
        return Self.isValidTraceparent(value) ? nil : "traceparent must be printable ASCII without spaces"
    }

    /// Whether a `traceparent` value can be sent as a header: printable ASCII without spaces.
    public static func isValidTraceparent(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }
}
