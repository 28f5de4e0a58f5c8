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

    /// Clusters read from the ledger alone, without contacting them (`audit --cluster`): every
    /// Kustomization the ledger holds for each, with its facts. The ledger keeps neither path nor
    /// repository, so carried commits, lead times and pending commits are unknown; deployments,
    /// failures, time to restore, frequency and change failure rate are not. `names` empty: every
    /// cluster the ledger knows.
    public static func clusters(_ ledger: Ledger, names: [String]) async throws(LedgerError) -> [ClusterFacts] {
        let chosen = names.isEmpty ? try await ledger.stats().clusters.map(\.cluster) : names
        var clusters: [ClusterFacts] = []
        for name in chosen {
            let facts = try await self.facts(ledger, cluster: name)
            let kustomizations = facts.keys.sorted().map { key -> KustomizationFacts in
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                var k = KustomizationFacts(
                    namespace: parts.first ?? "", name: parts.count > 1 ? parts[1] : "", path: "", repository: nil, branch: nil,
                    live: nil, facts: facts[key] ?? [])
                k.noHistoryReason = "read from the ledger only, which keeps no path or repository"
                return k
            }
            clusters.append(ClusterFacts(name: name, kustomizations: kustomizations))
        }
        return clusters
    }
}
