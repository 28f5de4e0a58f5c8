import ArgumentParser
import Foundation

/// The `fluxstamp` command: make git commit statuses tell the truth about what Flux has deployed.
@main
struct Fluxstamp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxstamp",
        abstract: "Make git commit statuses tell the truth about what Flux has deployed.",
        version: "0.1.0",
        subcommands: [
            SyncCommand.self, PlanCommand.self, GetCommand.self, HistoryCommand.self, LedgerCommand.self, AuditCommand.self,
            WaitCommand.self,
        ]
    )

    /// Runs the command. Every early end is one `error: ` line: a `CommandError` with its own exit
    /// code, or bad usage, which exits 2 (SPEC: 2 = bad usage or configuration, nothing written)
    /// where the argument parser's default would be 64 and a usage screen.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CommandError {
            if !error.description.isEmpty { FileHandle.standardError.write(Data("error: \(error.description)\n".utf8)) }
            Foundation.exit(error.exitCode)
        } catch {
            if exitCode(for: error) == .validationFailure {
                let line = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
                    .replacingOccurrences(of: "\n", with: "; ")
                FileHandle.standardError.write(Data("error: \(line) (see fluxstamp --help)\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
