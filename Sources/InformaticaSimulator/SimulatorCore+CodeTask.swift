import Foundation
import NIOHTTP1

extension SimulatorCore {
    /// The longest code task id the simulator accepts; ids are letters, digits, `-`, `_` and `.`.
    static let maxTaskIdLength = 64

    /// `POST /disnext/api/v1/CodeTask/Start`, checked the way the service would, with faults applied.
    func start(_ request: SimRequest) -> SimResponse {
        let now = self.now()
        let parsed = Self.codeTaskId(in: request.body)
        let traceparent = request.header("traceparent")
        let response = self.startResponse(request, parsed: parsed, now: now)
        self.state.withLock { state in
            state.stats.startCalls += 1
            if response.dropConnection { state.stats.droppedConnections += 1 }
            state.calls.append(
                StartCall(
                    sequence: state.calls.count + 1,
                    codeTaskId: parsed.id,
                    status: response.dropConnection || response.answer.broken == .stallAfterRequest
                        ? nil : Int(response.answer.status.code),
                    jobId: response.jobId,
                    traceparent: traceparent,
                    receivedAt: now
                )
            )
        }
        return response.answer
    }

    /// `GET /disnext/api/v1/CodeTask/JobStatus/<jobId>`: QUEUED, then RUNNING, then SUCCEEDED.
    func jobStatus(_ request: SimRequest, jobId: String) -> SimResponse {
        let drop = self.state.withLock { state in
            state.stats.jobStatusCalls += 1
            return state.faults.dropConnectionRate > 0 && state.random.nextUnit() < state.faults.dropConnectionRate
        }
        if drop { return .dropped(after: .zero) }
        if let refusal = self.authenticate(request) { return refusal }
        let (job, base) = self.state.withLock { ($0.jobs[jobId], $0.baseURL) }
        guard let job else {
            return self.error(.notFound, code: "CT_404", message: "Job \(jobId) not found.", style: self.configuration.errorStyle)
        }
        let age = self.now().timeIntervalSince(job.createdAt)
        let state: String
        if age < self.configuration.jobQueuedSeconds {
            state = "QUEUED"
        } else if age < self.configuration.jobQueuedSeconds + self.configuration.jobRunningSeconds {
            state = "RUNNING"
        } else {
            state = "SUCCEEDED"
        }
        return .json(
            .ok,
            .object([
                ("jobId", .string(jobId)),
                ("codeTaskName", .string(job.codeTaskId)),
                ("codeTaskId", .string(job.codeTaskId)),
                ("agentGroupId", .string(Self.agentGroupId)),
                ("executionState", .string(state)),
                ("sessionLogUrl", .string(base + "/disnext/api/v1/CodeTask/SessionLog/" + jobId)),
                ("computeUnitsConsumed", .int(state == "SUCCEEDED" ? 1 : 0)),
            ])
        )
    }

    static let agentGroupId = "01000025000000000003"

    private struct StartResult {
        var answer: SimResponse
        var jobId: String?
        var dropConnection: Bool { self.answer.dropConnection }
    }

    private func startResponse(_ request: SimRequest, parsed: (id: String?, problem: String?), now: Date) -> StartResult {
        let style = self.configuration.errorStyle
        let drop = self.state.withLock { state in
            state.faults.dropConnectionRate > 0 && state.random.nextUnit() < state.faults.dropConnectionRate
        }
        if drop { return StartResult(answer: .dropped(after: .zero)) }
        guard Self.isJSON(request) else {
            return StartResult(
                answer: self.error(.unsupportedMediaType, code: "HTTP_415", message: "Content-Type must be application/json.", style: style)
            )
        }
        if let accept = request.header("Accept"), !accept.contains("application/json"), !accept.contains("*/*") {
            return StartResult(
                answer: self.error(.notAcceptable, code: "HTTP_406", message: "Only application/json is produced.", style: style)
            )
        }
        if let refusal = self.authenticate(request) { return StartResult(answer: refusal) }
        guard parsed.problem == nil, let id = parsed.id else {
            return StartResult(
                answer: self.error(.badRequest, code: "CT_400", message: parsed.problem ?? "Invalid request body.", style: style)
            )
        }
        let rule = self.scriptedRule(for: id)
        if let rule, rule.brokenAnswer == nil, rule.status != 200 {
            var answer = self.injected(status: rule.status, retryAfterSeconds: rule.retryAfterSeconds)
            if let padding = rule.paddingBytes {
                answer = self.error(
                    HTTPResponseStatus(statusCode: rule.status), code: "CT_\(rule.status)",
                    message: String(repeating: "m", count: padding), style: style)
            }
            if rule.echoesSessionId == true {
                answer = self.error(
                    HTTPResponseStatus(statusCode: rule.status),
                    code: "CT_\(rule.status)",
                    message: "Request with session \(request.header("IDS-SESSION-ID") ?? "none") failed.",
                    style: style
                )
            }
            return StartResult(answer: answer)
        }
        if rule == nil, let injected = self.injectedFailure(for: id) { return StartResult(answer: injected) }
        let (jobId, run) = self.state.withLock { state -> (String, Int) in
            var jobId = state.ids.alphanumeric(22)
            while state.jobs[jobId] != nil { jobId = state.ids.alphanumeric(22) }
            state.jobs[jobId] = JobRecord(codeTaskId: id, createdAt: now)
            state.runs[id, default: 0] += 1
            return (jobId, state.runs[id, default: 0])
        }
        let padding = rule?.paddingBytes.map { [("padding", JSONWriter.string(String(repeating: "p", count: $0)))] } ?? []
        var answer = SimResponse.json(
            .ok,
            .object(padding + [
                ("summary", .string("Code Task started successfully")),
                ("jobId", .string(jobId)),
                ("codeTaskInstanceName", .string("\(id)-\(run)")),
                (
                    "sparkCodeTaskResponseBody",
                    .object([
                        ("agentGroupId", .string(Self.agentGroupId)),
                        ("clusterConfigId", .string("Default")),
                        ("logLevel", .string("normal")),
                        ("startRunTime", .string(Self.iso8601(now.addingTimeInterval(0.059)))),
                        ("submitTime", .string(Self.iso8601(now))),
                    ])
                ),
            ])
        )
        answer.broken = rule?.brokenAnswer
        return StartResult(answer: answer, jobId: jobId)
    }

    /// The scripted rule for `id`, consuming one of its uses.
    private func scriptedRule(for id: String) -> TaskRule? {
        let hit = self.state.withLock { state -> TaskRule? in
            guard let index = state.rules.firstIndex(where: { $0.rule.match.matches(id) && $0.remaining != 0 }) else { return nil }
            if let remaining = state.rules[index].remaining { state.rules[index].remaining = remaining - 1 }
            return state.rules[index].rule
        }
        return hit
    }

    /// Unknown ids (404) and the random error rates.
    private func injectedFailure(for id: String) -> SimResponse? {
        let (status, retryAfter) = self.state.withLock { state -> (Int?, Int?) in
            let faults = state.faults
            if faults.unknownTaskIds.contains(id) || faults.unknownTaskIdPrefixes.contains(where: { id.hasPrefix($0) }) {
                return (404, nil)
            }
            guard !faults.startErrorRates.isEmpty else { return (nil, nil) }
            var draw = state.random.nextUnit()
            for (status, rate) in faults.startErrorRates.sorted(by: { $0.key < $1.key }) {
                if draw < rate { return (status, status == 429 || status == 503 ? faults.retryAfterSeconds : nil) }
                draw -= rate
            }
            return (nil, nil)
        }
        return status.map { self.injected(status: $0, retryAfterSeconds: retryAfter) }
    }

    /// The code task id of a Start body (a JSON string, or a number as the documentation's example writes it)
    /// and the problem with the body, if any (a malformed id is returned with its problem, for the call record).
    static func codeTaskId(in body: [UInt8]) -> (id: String?, problem: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return (nil, "The request body must be a JSON object.")
        }
        let id: String
        switch object["codeTaskId"] {
        case let text as String: id = text
        case let number as Int where !(object["codeTaskId"] is Bool): id = String(number)
        case nil: return (nil, "codeTaskId is required.")
        default: return (nil, "codeTaskId must be a string.")
        }
        let allowed = id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
        }
        guard !id.isEmpty, id.count <= Self.maxTaskIdLength, allowed else {
            return (id, "Invalid codeTaskId: \(id.prefix(Self.maxTaskIdLength)).")
        }
        return (id, nil)
    }
}
