import ArgumentParser
import CodetaskWorker
import Foundation
import Logging

/// `codetask-worker run`: the production worker.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker against Kafka and Informatica until SIGTERM or SIGINT.",
        discussion: """
            The first SIGTERM/SIGINT stops taking records, lets calls in progress finish within the grace \
            period, publishes and commits their outcomes, leaves the group and logs out; exit status 0. \
            A second signal ends the process at once. Settings come from flags, then variables, then the \
            configuration file (--config), then defaults; a bad setting stops start-up with a message naming it.
            """
    )

    @OptionGroup var options: RunOptions
    @Flag(help: "Print the resolved configuration (secrets redacted) and exit without connecting.")
    var printConfiguration = false

    func run() async throws {
        let settings = try await self.options.reader()
        let configuration = try settings.workerConfiguration()
        let level = try settings.logLevel()
        if self.printConfiguration {
            print(configuration)
            return
        }
        LogSetup.bootstrap(level: level)
        let logger = Logger(label: "codetask-worker")
        let worker = try Worker(configuration: configuration, logger: logger)
        SignalHandling.install { signalNumber in
            logger.notice("Signal received; shutting down gracefully (send it again to exit at once)", metadata: ["signal": "\(signalNumber)"])
            worker.shutdown()
        }
        do {
            try await worker.run()
        } catch {
            logger.critical("Worker failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
