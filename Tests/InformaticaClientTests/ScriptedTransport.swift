import Foundation
import Logging
import Synchronization

@testable import InformaticaClient

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport {
    /// One scripted answer.
    enum Step: Sendable {
        case respond(status: Int, body: String, headers: [(String, String)] = [], latency: Duration = .zero)
        case fail(TransportError, latency: Duration = .zero)
        /// An answer whose body is given as bytes (for bodies that are not valid UTF-8).
        case respondBytes(status: Int, body: [UInt8])
        /// Cancels the calling task, then fails with the error (a caller that gives up mid-call).
        case cancelCaller(TransportError)
    }

    private struct State {
        var steps: [Step]
        var requests: [TransportRequest] = []
        var sendTimes: [Date] = []
        var shutDown = false
    }

    private let state: Mutex<State>
    private let fallback: Step
    private let clock: ManualClock?

    /// - Parameters:
    ///   - steps: Answers in order.
    ///   - fallback: The answer once the steps are used up.
    ///   - clock: Moved forward by each step's latency.
    init(_ steps: [Step], fallback: Step = .respond(status: 200, body: ScriptedTransport.seedResponse), clock: ManualClock? = nil) {
        self.state = Mutex(State(steps: steps))
        self.fallback = fallback
        self.clock = clock
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        let now = self.clock?.now() ?? Date()
        let step = self.state.withLock { state -> Step in
            state.requests.append(request)
            state.sendTimes.append(now)
            return state.steps.isEmpty ? self.fallback : state.steps.removeFirst()
        }
        switch step {
        case .respond(let status, let body, let headers, let latency):
            self.clock?.advance(by: latency)
            return TransportResponse(status: status, headers: headers, body: Array(body.utf8))
        case .fail(let error, let latency):
            self.clock?.advance(by: latency)
            throw error
        case .respondBytes(let status, let body):
            return TransportResponse(status: status, headers: [], body: body)
        case .cancelCaller(let error):
            withUnsafeCurrentTask { $0?.cancel() }
            throw error
        }
    }

    func shutdown() async throws {
        self.state.withLock { $0.shutDown = true }
    }

    var requests: [TransportRequest] { self.state.withLock { $0.requests } }
    var sendTimes: [Date] { self.state.withLock { $0.sendTimes } }
    var isShutDown: Bool { self.state.withLock { $0.shutDown } }

    /// The seed's response example, byte for byte.
    static let seedResponse =
        #"{ "summary": "Code Task started successfully", "jobId": "8zcuMdImeshidZ4XVExs20", "codeTaskInstanceName": "Demo-2", "sparkCodeTaskResponseBody": { "agentGroupId": "01000025000000000003", "clusterConfigId": "Default", "logLevel": "normal", "startRunTime": "2022-04-04T20:23:57.154+00:00", "submitTime": "2022-04-04T20:23:57.095+00:00" } }"#
}
