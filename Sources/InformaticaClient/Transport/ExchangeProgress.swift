import NIOCore
import Synchronization

/// How far one request got, so that a failure can say what the service may have done with it
/// (``TransportError/Stage``): updated when AsyncHTTPClient asks for the request body (its head has been
/// written), when the status line arrives and as body bytes arrive.
final class ExchangeProgress: Sendable {
    private struct State {
        var stage: TransportError.Stage
        var deadlinePassed = false
    }

    private let state: Mutex<State>

    /// - Parameter writeIsObservable: Whether the request has a body, whose reading marks the start of
    ///   writing. A request without one cannot tell, so it counts as sent from the start: in doubt rather
    ///   than wrongly never sent (errors that can only happen before writing still say not sent).
    init(writeIsObservable: Bool) {
        self.state = Mutex(State(stage: writeIsObservable ? .notSent : .sent))
    }

    /// How far the exchange got.
    var stage: TransportError.Stage {
        self.state.withLock { $0.stage }
    }

    /// Whether the request's deadline ended it.
    var deadlinePassed: Bool {
        self.state.withLock { $0.deadlinePassed }
    }

    /// The request's deadline passed while the answer's body was being read.
    func deadlineHasPassed() {
        self.state.withLock { $0.deadlinePassed = true }
    }

    /// The request's head was written and its body is being read for writing.
    func writingBegan() {
        self.state.withLock { state in
            if state.stage == .notSent { state.stage = .sent }
        }
    }

    /// The status line of the final answer arrived.
    func answered(status: Int) {
        self.state.withLock { $0.stage = .answered(status: status, partialBody: []) }
    }

    /// Keeps the first ``TransportError/partialBodyLimit`` bytes of the answer's body for the report.
    func received(_ part: ByteBuffer) {
        self.state.withLock { state in
            guard case .answered(let status, var partial) = state.stage, partial.count < TransportError.partialBodyLimit else { return }
            let wanted = min(part.readableBytes, TransportError.partialBodyLimit - partial.count)
            partial.append(contentsOf: part.readableBytesView.prefix(wanted))
            state.stage = .answered(status: status, partialBody: partial)
        }
    }
}
