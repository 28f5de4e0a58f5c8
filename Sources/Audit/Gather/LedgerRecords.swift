import Foundation
import Ledger

/// What earlier runs recorded in the ledger, as deployment facts.
public enum LedgerRecords {
    /// The facts of one cluster's Kustomizations, keyed by `namespace/name`.
    ///
    /// A record's time (when Flux said it happened; the earliest kept) is its first time, else the
    /// end of the first run that saw it; its last time is the end of the latest run that saw it.
    public static func facts(_ ledger: Ledger, cluster: String) async throws(LedgerError) -> [String: [DeploymentFact]] {
        var result: [String: [DeploymentFact]] = [:]
        for stored in try await ledger.observations(cluster: cluster) {
            let record = stored.record
            result["\(record.namespace)/\(record.name)", default: []].append(
                DeploymentFact(
                    revision: record.revision, sha: record.sha ?? ClusterRecords.commit(record.revision),
                    outcome: record.outcome == .succeeded ? .succeeded : .failed, reason: record.reason, message: record.message,
                    origin: .ledger, firstTime: record.time ?? stored.firstSeen, lastTime: stored.lastSeen))
        }
        return result
    }
}
