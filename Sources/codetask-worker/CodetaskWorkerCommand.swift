import ArgumentParser

/// `codetask-worker`: the production worker (`run`), operators' commands (`check`, `start`, `send`) and a
/// self-contained demonstration (`demo`).
@main
struct CodetaskWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codetask-worker",
        abstract: "Consumes code task start requests from Kafka, starts them in Informatica, publishes job events.",
        subcommands: [RunCommand.self, CheckCommand.self, StartCommand.self, SendCommand.self, DemoCommand.self]
    )
}
