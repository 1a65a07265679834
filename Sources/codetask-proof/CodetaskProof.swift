import ArgumentParser
import ProofSupport

/// Proof under faults and load (issue 10): an independent auditor, a chaos runner and a soak, each against the
/// `codetask-worker` binary next to this one, the simulator and a broker in this process (or a Tansu process).
@main
struct CodetaskProof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codetask-proof",
        abstract: "Audit, chaos and soak runs of codetask-worker processes (build codetask-worker with the same configuration).",
        subcommands: [AuditCommand.self, ChaosCommand.self, SoakCommand.self])

    /// Runs the subcommand; an interrupt (SIGINT, SIGTERM) first kills every worker process the run started.
    static func main() async {
        WorkerChild.killAllOnSignals()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
