import Forges
import Foundation
import Reconcile

/// Renders a plan and a run's summary.
enum PlanOutput {
    /// The plan grouped by forge repository: commit, context, current → desired, reason.
    static func table(_ outcome: SyncRun.Outcome) -> String {
        let plan = outcome.plan
        var out = ""
        let byRepository = Dictionary(grouping: plan.writes, by: \.target.repository)
        for repository in byRepository.keys.sorted() {
            out += "\(repository)\n"
            var rows = [["COMMIT", "CONTEXT", "CURRENT", "DESIRED", "REASON"]]
            for write in byRepository[repository]! {
                rows.append([String(write.status.sha.prefix(7)), write.target.context,
                             write.current.map { "\($0.state.rawValue) \"\($0.description)\"" } ?? "-",
                             "\(write.status.state.rawValue) \"\(write.status.description)\"", write.reason.description])
            }
            out += columns(rows, indent: "  ")
        }
        if plan.writes.isEmpty { out += "nothing to write: the forge already shows what Flux deployed\n" }
        let skips = plan.skips.filter { $0.reason != .budget }
        if !skips.isEmpty {
            out += "\nskipped:\n"
            for skip in skips {
                out += "  \(skip.kustomization) \(skip.revision.isEmpty ? "" : skip.revision + ": ")\(skip.reason)\n"
            }
        }
        let budget = plan.skips.filter { $0.reason == .budget }.count
        if budget > 0 { out += "\n\(budget) more writes are over --max-writes; later runs write them (newest first)\n" }
        for id in outcome.suspended.sorted() { out += "note: \(id) is suspended (observed anyway)\n" }
        return out
    }

    /// The plan as one JSON document.
    static func json(_ outcome: SyncRun.Outcome) -> String {
        let plan = outcome.plan
        let writes: [[String: Any]] = plan.writes.map { w in
            var row: [String: Any] = [
                "repository": w.target.repository, "sha": w.status.sha, "context": w.target.context,
                "state": w.status.state.rawValue, "description": w.status.description, "reason": w.reason.description,
                "kustomization": w.kustomization.description,
            ]
            if let current = w.current { row["current"] = ["state": current.state.rawValue, "description": current.description] }
            return row
        }
        let skips: [[String: Any]] = plan.skips.map { s in
            ["kustomization": s.kustomization.description, "revision": s.revision, "reason": s.reason.category,
             "detail": s.reason.description, "context": s.target?.context ?? ""]
        }
        let document: [String: Any] = ["writes": writes, "skips": skips, "summary": summary(outcome, dryRun: true).fields,
                                       "problems": outcome.problems]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The final summary: observed, planned, written, unchanged, skipped (by reason), failed.
    static func summary(_ outcome: SyncRun.Outcome, dryRun: Bool) -> (line: String, fields: [String: String]) {
        let plan = outcome.plan
        let failed = outcome.results.filter { $0.error != nil }.count
        let written = outcome.results.count - failed
        let byReason = Dictionary(grouping: plan.skips, by: \.reason.category).mapValues(\.count)
        let reasons = byReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var fields = ["observed": String(plan.observed), "planned": String(plan.writes.count),
                      "unchanged": String(plan.unchanged), "skipped": String(plan.skips.count), "failed": String(failed)]
        if !dryRun { fields["written"] = String(written) }
        var line = "observed \(plan.observed), planned \(plan.writes.count)"
        if !dryRun { line += ", written \(written)" }
        line += ", unchanged \(plan.unchanged), skipped \(plan.skips.count)"
        if !reasons.isEmpty { line += " (\(reasons))" }
        line += ", failed \(failed)"
        if !outcome.problems.isEmpty { line += ", problems \(outcome.problems.count)" }
        return (line, fields)
    }

    private static func columns(_ rows: [[String]], indent: String) -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            indent + row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
