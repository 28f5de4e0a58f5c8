import Forges
import Foundation
import Reconcile

/// One deployment write in `plan --json` (docs/deployments.md).
struct DeploymentWriteLine: Encodable {
    var repository: String
    var environment: String
    var action: String
    var sha: String
    var state: String
    var finalState: String
    var reason: String
    var kustomization: String
    var firstSeen: String?

    init(_ write: PlannedDeploymentWrite) {
        repository = write.target.repository
        environment = write.target.environment
        action = write.action.rawValue
        sha = write.write.sha
        state = write.write.state.rawValue
        finalState = write.finalState.rawValue
        reason = write.reason
        kustomization = write.kustomization.description
        firstSeen = write.write.payload.firstSeen
    }
}

/// The deployment writes as a table, beside the status writes, grouped by repository and environment.
enum DeploymentTable {
    static func render(_ report: Pipeline.Report) -> String {
        let plan = report.deployments
        guard !plan.environments.isEmpty || !plan.writes.isEmpty || !plan.skips.isEmpty else { return "" }
        var out = "\ndeployments:\n"
        let byTarget = Dictionary(grouping: plan.writes, by: \.target)
        for target in byTarget.keys.sorted() {
            out += "  \(target.repository) environment \(target.environment)\n"
            var rows = [["COMMIT", "ACTION", "STATE", "FIRST SEEN", "REASON"]]
            for write in byTarget[target]! {
                let state =
                    write.write.state == write.finalState
                    ? write.finalState.rawValue : "\(write.write.state.rawValue) → \(write.finalState.rawValue)"
                rows.append([
                    String(write.write.sha.prefix(7)), write.action.rawValue, state, write.write.payload.firstSeen ?? "-", write.reason,
                ])
            }
            out += Rendering.columns(rows, indent: "    ")
        }
        if plan.writes.isEmpty {
            out += "  nothing to write: \(plan.unchanged) deployments in \(plan.environments.count) environments already shown\n"
        }
        for skip in plan.skips { out += "  \(skip.kustomization): \(skip.reason)\n" }
        if plan.overBudget > 0 {
            out += "  \(plan.overBudget) more deployment writes are over --max-writes; later runs write them (oldest first)\n"
        }
        return out
    }
}
