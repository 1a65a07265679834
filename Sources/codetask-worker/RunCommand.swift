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
            A second signal ends the process at once. A bad setting stops start-up with a message naming it.
            """
    )

    @OptionGroup var options: RunOptions

    func run() async throws {
        let configuration = try self.options.configuration()
        if self.options.printConfiguration {
            print(configuration)
            return
        }
        let source = SettingSource()
        let level = try source.value(self.options.logLevel, env: "CODETASK_LOG_LEVEL", name: "log-level", default: Logger.Level.info) {
            Logger.Level(rawValue: $0)
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
