import Forges
import Foundation
import Reconcile

/// `plan --json` / `sync --dry-run --json`: one document, schema version 1 (docs/json.md).
struct PlanDocument: Encodable {
    /// Bumped when a field changes meaning or goes away; new fields do not bump it.
    var schemaVersion = 1
    var writes: [Write]
    var skips: [Skip]
    var summary: Summary
    var problems: [ProblemLine]
    /// `--deployments`: deployment writes in the order they are sent (DeploymentOutput.swift).
    var deployments: [DeploymentWriteLine]

    struct Write: Encodable {
        var repository: String
        var sha: String
        var context: String
        var state: String
        var description: String
        var reason: String
        var kustomization: String
        var current: Current?
    }

    struct Current: Encodable {
        var state: String
        var description: String
    }

    struct Skip: Encodable {
        var kustomization: String
        var revision: String
        var reason: String
        var detail: String
        var context: String?
    }

    init(_ report: Pipeline.Report) {
        let plan = report.plan
        writes = plan.writes.map { w in
            Write(
                repository: w.target.repository, sha: w.status.sha, context: w.target.context, state: w.status.state.rawValue,
                description: w.status.description, reason: w.reason.description, kustomization: w.kustomization.description,
                current: w.current.map { Current(state: $0.state.rawValue, description: $0.description) })
        }
        skips = plan.skips.map { s in
            Skip(
                kustomization: s.kustomization.description, revision: s.revision, reason: s.reason.category,
                detail: s.reason.description, context: s.target?.context)
        }
        summary = Summary(report, dryRun: true)
        problems = ProblemLine.lines(report.problems)
        deployments = report.deployments.writes.map(DeploymentWriteLine.init)
    }
}

/// One distinct problem and how often it occurred (a forge outage gives one line, not hundreds).
struct ProblemLine: Encodable {
    var severity: String
    var stage: String
    var message: String
    var count: Int

    /// Distinct problems in first-seen order, with counts.
    static func lines(_ problems: [Problem]) -> [ProblemLine] {
        var order: [String] = []
        var lines: [String: ProblemLine] = [:]
        for problem in problems {
            let text = problem.description
            if lines[text] == nil {
                order.append(text)
                lines[text] = ProblemLine(severity: problem.severity.rawValue, stage: problem.stage.rawValue, message: text, count: 0)
            }
            lines[text]!.count += 1
        }
        return order.map { lines[$0]! }
    }

    /// The line as printed: the message, and how many times when more than once.
    var text: String { count > 1 ? "\(message) (\(count) times)" : message }
}

/// The run's figures. Each counts one thing:
/// - `kustomizations`: selected Kustomizations;
/// - `observed`: observations read (several per Kustomization: status, history snapshots, events;
///   several may name the same commit, so this is not a sum of the others);
/// - `considered` = `planned` + `unchanged` + `skipped`: every status fluxstamp decided about;
/// - `planned`: statuses to write; `written` + `failed` = `planned` (sync only);
/// - `unchanged`: desired statuses the forge already shows;
/// - `skipped`: observations or statuses not written, by reason;
/// - `problems`: distinct unusable inputs or failures.
struct Summary: Encodable {
    var kustomizations: Int
    var observed: Int
    var considered: Int
    var planned: Int
    var written: Int?
    var failed: Int?
    var unchanged: Int
    var skipped: Int
    var skippedByReason: [String: Int]
    var problems: Int
    /// `--deployments`: deployment writes planned, written (sync), and deployments already right.
    var deploymentsPlanned: Int?
    var deploymentsWritten: Int?
    var deploymentsUnchanged: Int?
    var deploymentsFailed: Int?
    /// Deployment writes held back by `--max-writes` (one budget with the status writes).
    var deploymentsOverBudget: Int?

    init(_ report: Pipeline.Report, dryRun: Bool) {
        let plan = report.plan
        kustomizations = report.kustomizations
        observed = plan.observed
        planned = plan.writes.count
        if !dryRun {
            failed = report.failedWrites.count
            written = report.results.count - report.failedWrites.count
        }
        unchanged = plan.unchanged
        skipped = plan.skips.count
        skippedByReason = Dictionary(grouping: plan.skips, by: \.reason.category).mapValues(\.count)
        considered = planned + unchanged + skipped
        problems = ProblemLine.lines(report.problems).count
        if !report.deployments.environments.isEmpty || !report.deployments.writes.isEmpty {
            deploymentsPlanned = report.deployments.writes.count
            deploymentsUnchanged = report.deployments.unchanged
            if !dryRun {
                deploymentsWritten = report.deploymentResults.filter { $0.error == nil }.count
                deploymentsFailed = report.deploymentResults.count - deploymentsWritten!
            }
            if report.deployments.overBudget > 0 { deploymentsOverBudget = report.deployments.overBudget }
        }
    }

    /// One human line whose numbers add up, each named:
    /// `kustomizations 4, observations 24, considered 18 = planned 7 + unchanged 9 + skipped 2 (budget 2), written 7, failed 0`.
    var line: String {
        var line = "kustomizations \(kustomizations), observations \(observed), "
        line += "considered \(considered) = planned \(planned) + unchanged \(unchanged) + skipped \(skipped)"
        let reasons = skippedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        if !reasons.isEmpty { line += " (\(reasons))" }
        if let written { line += ", written \(written)" }
        if let failed { line += ", failed \(failed)" }
        if problems > 0 { line += ", problems \(problems)" }
        if let deploymentsPlanned {
            line += "; deployments: planned \(deploymentsPlanned)"
            if let deploymentsWritten { line += ", written \(deploymentsWritten)" }
            line += ", unchanged \(deploymentsUnchanged ?? 0)"
            if let deploymentsFailed, deploymentsFailed > 0 { line += ", failed \(deploymentsFailed)" }
            if let deploymentsOverBudget { line += ", over --max-writes \(deploymentsOverBudget)" }
        }
        return line
    }
}

/// Renders documents.
enum Rendering {
    /// Pretty, sorted, slashes unescaped: stable for diffs and `jq`.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Left-aligned columns, the last one unpadded.
    static func columns(_ rows: [[String]], indent: String = "") -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            indent
                + row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

/// The plan as a table: grouped by forge repository: commit, context, current → desired, reason.
enum PlanTable {
    static func render(_ report: Pipeline.Report) -> String {
        let plan = report.plan
        var out = ""
        let byRepository = Dictionary(grouping: plan.writes, by: \.target.repository)
        for repository in byRepository.keys.sorted() {
            out += "\(repository)\n"
            var rows = [["COMMIT", "CONTEXT", "CURRENT", "DESIRED", "REASON"]]
            for write in byRepository[repository]! {
                rows.append([
                    String(write.status.sha.prefix(7)), write.target.context,
                    write.current.map { "\($0.state.rawValue) \"\($0.description)\"" } ?? "-",
                    "\(write.status.state.rawValue) \"\(write.status.description)\"", write.reason.description,
                ])
            }
            out += Rendering.columns(rows, indent: "  ")
        }
        if plan.writes.isEmpty {
            // With --deployments the deployment writes follow: say which kind has nothing to write.
            if !report.deployments.environments.isEmpty || !report.deployments.writes.isEmpty { out += "commit statuses: " }
            // Only when every desired status was checked and matched: not after a failure, not
            // when writes were held back by the budget.
            let budget = plan.skips.contains { $0.reason == .budget }
            if !report.hasFailures && !budget && plan.unchanged > 0 {
                out += "nothing to write: the forge already shows what Flux deployed\n"
            } else if !report.hasFailures && !budget && report.kustomizations == 0 {
                out += "nothing to write: no Kustomization matched the selection\n"
            } else {
                out += "nothing to write\n"
            }
        }
        let skips = plan.skips.filter { $0.reason != .budget }
        if !skips.isEmpty {
            out += "\nskipped:\n"
            for skip in skips {
                out += "  \(skip.kustomization) \(skip.revision.isEmpty ? "" : skip.revision + ": ")\(skip.reason)\n"
            }
        }
        let budget = plan.skips.filter { $0.reason == .budget }.count
        if budget > 0 { out += "\n\(budget) more writes are over --max-writes; later runs write them (newest first)\n" }
        for id in report.suspended.sorted() { out += "note: \(id) is suspended (observed anyway)\n" }
        out += DeploymentTable.render(report)
        return out
    }
}
