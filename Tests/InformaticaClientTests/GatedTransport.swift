import Foundation
import Logging
import Synchronization

@testable import InformaticaClient

/// A transport whose login calls wait until the test opens the gate, then answer from a script; other
/// calls answer at once from ``ScriptedTransport``'s seed answer. Lets a test hold a login while other
/// callers pile up behind it.
final class GatedTransport: HTTPTransport {
    private struct State {
        var loginAnswers: [(status: Int, body: String)]
        var gate: [CheckedContinuation<Void, Never>] = []
        var open = false
        var requests: [TransportRequest] = []
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - loginAnswers: The login answers, in order (the last one repeats).
    ///   - open: Whether logins pass at first.
    init(loginAnswers: [(status: Int, body: String)], open: Bool = false) {
        self.state = Mutex(State(loginAnswers: loginAnswers, open: open))
    }

    /// Holds later logins at the gate.
    func close() {
        self.state.withLock { $0.open = false }
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        self.state.withLock { $0.requests.append(request) }
        guard request.url.lowercased().hasSuffix("/login") else {
            return TransportResponse(status: 200, headers: [], body: Array(ScriptedTransport.seedResponse.utf8))
        }
        await withCheckedContinuation { continuation in
            let pass = self.state.withLock { state -> Bool in
                if state.open { return true }
                state.gate.append(continuation)
                return false
            }
            if pass { continuation.resume() }
        }
        let answer = self.state.withLock { state in
            state.loginAnswers.count > 1 ? state.loginAnswers.removeFirst() : state.loginAnswers[0]
        }
        return TransportResponse(status: answer.status, headers: [], body: Array(answer.body.utf8))
    }

    /// Lets every held and later login through.
    func open() {
        let held = self.state.withLock { state in
            state.open = true
            defer { state.gate = [] }
            return state.gate
        }
        for continuation in held { continuation.resume() }
    }

    /// How many logins wait at the gate.
    var heldLogins: Int { self.state.withLock { $0.gate.count } }

    /// Every request, in order.
    var requests: [TransportRequest] { self.state.withLock { $0.requests } }

    func shutdown() async throws {}
}
