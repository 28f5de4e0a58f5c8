import ArgumentParser

/// The `fluxstamp` command: make git commit statuses tell the truth about what Flux has deployed.
@main
struct Fluxstamp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxstamp",
        abstract: "Make git commit statuses tell the truth about what Flux has deployed.",
        version: "0.1.0",
        subcommands: [SyncCommand.self, PlanCommand.self, GetCommand.self, HistoryCommand.self]
    )
}
