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
    /// How long records are kept (nil: forever); applied after the run is recorded.
    var retention: TimeInterval? = nil
    var logger: Logger

    /// Opens the ledger (applying migrations on first use) and records the start of a run. A
    /// ledger that cannot be opened, is not a fluxstamp ledger, or is newer than this build stops
    /// the run before anything is read or written.
    static func begin(
        _ url: LedgerURL, cluster: String, retention: TimeInterval? = nil, logger: Logger, now: Date = Date()
    ) async throws(CommandError) -> RunLedger {
        do {
            let ledger = try await Ledger.open(url, logger: logger)
            let run = try await ledger.beginRun(cluster: cluster, version: Fluxstamp.configuration.version, started: now)
            return RunLedger(ledger: ledger, run: run, cluster: cluster, retention: retention, logger: logger)
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
            if let retention {
                // After the run's own transaction: a failed prune never loses what this run saw.
                let removed = try await ledger.prune(olderThan: now.addingTimeInterval(-retention))
                if removed.runs + removed.observations + removed.writtenStatuses > 0 {
                    logger.info(
                        "ledger retention removed records older than \(Self.describe(retention))",
                        metadata: [
                            "runs": "\(removed.runs)", "observations": "\(removed.observations)",
                            "writtenStatuses": "\(removed.writtenStatuses)",
                        ])
                }
            }
            await ledger.close()
            return nil
        } catch {
            await ledger.close()
            return Problem("ledger \(ledger.url)", error, stage: .apply)
        }
    }
}

extension RunLedger {
    /// Parses `--ledger-retention`: a positive number of seconds, minutes, hours, days or weeks (`400d`, `8w`).
    /// Dates are refused: a retention is a window that moves with each run.
    static func retention(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value.isFinite, value > 0 else {
            return nil
        }
        return value * scale
    }

    /// A retention as days (or hours, below a day), for log lines.
    static func describe(_ retention: TimeInterval) -> String {
        retention >= 86400 ? "\((retention / 86400).formatted())d" : "\((retention / 3600).formatted())h"
    }
}
