import Foundation
import Logging

/// The process's stop bound: a graceful stop ends within the grace period plus 5 s, whatever a service does.
///
/// The worker returns within grace + 4 s by itself (its state machine's bound). The service group gets until
/// grace + 4.5 s for the operations endpoint and the trace exporter, then cancels them. Should anything still
/// hold the process at grace + 5 s, the watchdog armed at the first signal ends it with exit status 1, logged:
/// the orchestrator's kill would come anyway, and a stop past its bound is a defect to see, not to wait out.
enum StopBound {
    /// Time the service group allows for the whole graceful shutdown before it cancels what is left.
    static func groupShutdownLimit(grace: Duration) -> Duration { grace + .milliseconds(4500) }

    /// Time from the first signal until the watchdog ends the process.
    static func processLimit(grace: Duration) -> Duration { grace + .seconds(5) }

    /// Arms the watchdog: the process exits with status 1 `processLimit(grace:)` from now unless it has ended.
    static func armWatchdog(grace: Duration, logger: Logger) {
        let limit = self.processLimit(grace: grace)
        let milliseconds = Int(limit / .milliseconds(1))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
            logger.critical("The stop did not end within its bound; exiting", metadata: ["bound": "\(limit)"])
            exit(1)
        }
    }
}
