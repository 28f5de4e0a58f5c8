import ArgumentParser

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show which paths each first-parent commit touched.")
    func run() async throws {}
}
