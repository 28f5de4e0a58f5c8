import Foundation
import Ledger
import Logging
import Reconcile

/// The ledger's part in a `sync` or `plan` run: a run row when it starts (so a killed run shows as
/// unfinished), and at its end, in one transaction, every observation and every status written.
struct RunLedger {
    let ledger: Ledger
    let run: RunID
    let cluster: String

    /// Opens the ledger (applying migrations on first use) and records the start of a run. A
    /// ledger that cannot be opened, is not a fluxstamp ledger, or is newer than this build stops
    /// the run before anything is read or written.
    static func begin(_ url: LedgerURL, cluster: String, logger: Logger, now: Date = Date()) async throws(CommandError) -> RunLedger {
        do {
            let ledger = try await Ledger.open(url, logger: logger)
            let run = try await ledger.beginRun(cluster: cluster, version: Fluxstamp.configuration.version, started: now)
            return RunLedger(ledger: ledger, run: run, cluster: cluster)
        } catch {
            throw .settings("\(error)")
        }
    }

    /// Records what the run observed and wrote; a failure is a problem of the run (exit 1).
    func finish(_ report: Pipeline.Report, dryRun: Bool, now: Date = Date()) async -> Problem? {
        let observations = report.observations.map { o in
            ObservationRecord(
                cluster: cluster, namespace: o.kustomization.namespace, name: o.kustomization.name, revision: o.revision,
                sha: (try? Revision.parse(o.revision).flatMap { $0.commit }.get()), outcome: o.outcome == .succeeded ? .succeeded : .failed,
                reason: o.reason, message: o.message, time: o.time, origin: ObservationOrigin(rawValue: o.origin.rawValue) ?? .status)
        }
        let writes = report.results.filter { $0.error == nil }.map { r in
            WrittenStatusRecord(
                repository: r.write.target.repository, sha: r.write.status.sha, context: r.write.target.context,
                state: r.write.status.state.rawValue, description: r.write.status.description, writtenAt: now)
        }
        let summary = Summary(report, dryRun: dryRun)
        let counts = RunCounts(
            observed: summary.observed, planned: summary.planned, written: summary.written ?? 0,
            unchanged: summary.unchanged, failed: summary.failed ?? 0)
        do {
            try await ledger.finishRun(
                run, outcome: report.hasFailures ? .partial : .succeeded, counts: counts, finished: now,
                observations: observations, writes: writes)
            await ledger.close()
            return nil
        } catch {
            await ledger.close()
            return Problem("ledger \(ledger.url)", error, stage: .apply)
        }
    }
}
