import Foundation

/// `--format devlake`: Apache DevLake incoming-webhook deployment payloads, one per deployment with
/// a known first-seen time (DevLake requires `startedDate` and `finishedDate`; it accepts past times).
///
/// Fields follow DevLake's `WebhookDeploymentReq` / `WebhookDeploymentCommitReq`
/// (backend/plugins/webhook/api/deployments.go; docs: devlake.apache.org/docs/Plugins/webhook):
/// required `id`, `startedDate`, `finishedDate`, and per commit `repoUrl`, `commitSha`; `result` is
/// SUCCESS or FAILURE; `environment` one of PRODUCTION, STAGING, TESTING, DEVELOPMENT. DevLake builds
/// the deployment row from the first commit, so the deployed commit comes first, then every carried
/// commit that touched the path. `id` is stable, so posting the same report again updates, not duplicates.
public enum DevLakeReport {
    /// The environments DevLake accepts.
    public static let environments = ["PRODUCTION", "STAGING", "TESTING", "DEVELOPMENT"]

    /// One payload per deployment, newest first within each Kustomization.
    public static func payloads(_ report: AuditReport, environment: String = "PRODUCTION") -> [AuditJSON] {
        var payloads: [AuditJSON] = []
        for cluster in report.clusters {
            for k in cluster.kustomizations {
                for d in k.deployments {
                    guard let sha = d.sha, let time = d.firstSeen else { continue }
                    let result = d.outcome == .succeeded ? "SUCCESS" : "FAILURE"
                    let title = "\(k.namespace)/\(k.name) \(sha.prefix(7)) on \(cluster.name)"
                    let when = Optional(time).json
                    func commit(_ commitSha: String, _ message: String) -> AuditJSON {
                        .object([
                            ("repoUrl", .string(k.repository ?? "")),
                            ("refName", k.branch.json),
                            ("commitSha", .string(commitSha)),
                            ("commitMsg", .string(message)),
                            ("displayTitle", .string(title)),
                            ("name", .string("\(k.namespace)/\(k.name) on \(cluster.name)")),
                            ("result", .string(result)),
                            ("status", .string("DONE")),
                            ("createdDate", when),
                            ("startedDate", when),
                            ("finishedDate", when),
                        ])
                    }
                    let deployedMessage = d.commits.first { $0.sha == sha }?.subject ?? ""
                    let commits = [commit(sha, deployedMessage)] + d.commits.filter { $0.sha != sha }.map { commit($0.sha, $0.subject) }
                    payloads.append(
                        .object([
                            ("id", .string("fluxstamp:\(cluster.name):\(k.namespace)/\(k.name):\(sha):\(d.outcome.rawValue)")),
                            ("displayTitle", .string(title)),
                            ("name", .string("\(k.namespace)/\(k.name) on \(cluster.name)")),
                            ("result", .string(result)),
                            ("environment", .string(environment)),
                            ("originalEnvironment", .string(cluster.name)),
                            ("createdDate", when),
                            ("startedDate", when),
                            ("finishedDate", when),
                            ("deploymentCommits", .array(commits)),
                        ]))
                }
            }
        }
        return payloads
    }

    /// The payloads as a JSON array (what `--format devlake` prints).
    public static func render(_ report: AuditReport, environment: String = "PRODUCTION") -> String {
        AuditJSON.array(payloads(report, environment: environment)).serialized() + "\n"
    }
}
