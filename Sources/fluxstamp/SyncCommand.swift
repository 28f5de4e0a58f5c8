import ArgumentParser
import Foundation
import Reconcile

/// `fluxstamp sync`: make the forge's commit statuses match what Flux has deployed.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Observe the cluster, compute the statuses that should exist, and write only the difference.",
        discussion: "Exit codes: 0 converged; 1 some writes failed or some inputs were unusable (the rest was done); 2 bad usage or configuration (nothing written).")

    @OptionGroup var options: SyncOptions

    @Flag(help: "Plan only: print what would be written (same as `fluxstamp plan`).")
    var dryRun = false

    @Flag(help: "With --dry-run, print the plan as JSON.")
    var json = false

    func run() async throws {
        try await SyncCommand.execute(options: options, dryRun: dryRun, json: json)
    }

    static func execute(options: SyncOptions, dryRun: Bool, json: Bool) async throws {
        let settings: SyncSettings
        do { settings = try SyncSettings(options) } catch let error as SettingsError {
            RunLog(json: options.logFormat == "json").problem(error.description)
            throw ExitCode(2)
        }
        let log = RunLog(json: settings.json)
        let outcome: SyncRun.Outcome
        do {
            outcome = try await SyncRun(settings: settings, dryRun: dryRun, log: log).run()
        } catch let failure as RunFailure {
            log.problem(failure.description)
            if case .configuration = failure { throw ExitCode(2) }
            throw ExitCode(1)
        }
        for problem in outcome.problems { log.problem(problem) }
        if dryRun {
            print(json ? PlanOutput.json(outcome) : PlanOutput.table(outcome), terminator: "")
        } else {
            for result in outcome.results where result.error != nil { log.problem(result.error!.description) }
        }
        let summary = PlanOutput.summary(outcome, dryRun: dryRun)
        log.info(summary.line, settings.json ? summary.fields : [:])
        let failed = outcome.results.contains { $0.error != nil }
        if failed || !outcome.problems.isEmpty { throw ExitCode(1) }
    }
}

/// `fluxstamp plan`: what `sync` would write, as a table or JSON (same as `sync --dry-run`).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what sync would write (the same as sync --dry-run), as a table or JSON.")

    @OptionGroup var options: SyncOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() async throws {
        try await SyncCommand.execute(options: options, dryRun: true, json: json)
    }
}
