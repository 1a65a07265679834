import Dispatch
import Foundation

/// SIGTERM and SIGINT: the first starts a graceful shutdown, a second one ends the process at once
/// (uncommitted records are then read again by the next owner).
enum SignalHandling {
    /// Keeps the dispatch sources alive for the life of the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers; call once, before running.
    static func install(onFirstSignal: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "codetask.signals")
        let received = SignalCount()
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                if received.increment() == 1 {
                    onFirstSignal(signalNumber)
                } else {
                    FileHandle.standardError.write(Data("codetask-worker: second signal, exiting now\n".utf8))
                    exit(128 + signalNumber)
                }
            }
            source.resume()
            self.sources.append(source)
        }
    }
}

/// Counts signals; touched only on the signal queue.
private final class SignalCount: @unchecked Sendable {
    private var count = 0

    func increment() -> Int {
        self.count += 1
        return self.count
    }
}
