import Foundation

/// The multi-cluster matrix: each recent commit × each cluster → deployed at, pending, or not watched.
///
/// Rows: per tracked branch, the newest `matrixCommits` first-parent commits committed in the
/// window that touch a path some Kustomization watches. Cell: among the cluster's Kustomizations on that branch whose path
/// the commit touches, the earliest first-seen time of a successful deployment at the commit or a
/// newer one on the chain (Flux deploys forward, so that deployment contained it); "pending" when
/// such Kustomizations exist but none has deployed it yet; "not watched" when none exists.
enum Matrix {
    static func rows(input: AuditInput, clusters: [ClusterReport], positions: [BranchKey: [String: Int]]) -> [MatrixRow] {
        let facts = Dictionary(
            input.clusters.flatMap { c in c.kustomizations.map { ("\(c.name)/\($0.namespace)/\($0.name)", $0) } },
            uniquingKeysWith: { a, _ in a })
        var rows: [MatrixRow] = []
        for (key, history) in input.histories.sorted(by: { $0.key < $1.key }) {
            guard let index = positions[key] else { continue }
            // Per cluster, its Kustomizations on this branch: path index and successful deployments' positions and times.
            var watchers: [String: [(path: Int, deployed: [(position: Int, time: Date)])]] = [:]
            for cluster in clusters {
                for k in cluster.kustomizations {
                    guard let f = facts["\(cluster.name)/\(k.namespace)/\(k.name)"], f.history == key,
                        let path = history.paths.firstIndex(of: k.path)
                    else { continue }
                    let deployed = k.deployments.compactMap { d -> (Int, Date)? in
                        guard d.outcome == .succeeded, let sha = d.sha, let position = index[sha], let time = d.firstSeen else {
                            return nil
                        }
                        return (position, time)
                    }
                    watchers[cluster.name, default: []].append((path, deployed))
                }
            }
            let watched = Set(watchers.values.flatMap { $0.map(\.path) })
            var taken = 0
            for (position, commit) in history.commits.enumerated() where taken < input.matrixCommits {
                // Older commits may have been deployed before the window, whose deployments the report does not hold.
                guard commit.committerTime >= input.since, commit.touched.contains(where: watched.contains) else { continue }
                taken += 1
                var cells: [String: MatrixRow.Cell] = [:]
                for cluster in clusters {
                    let relevant = (watchers[cluster.name] ?? []).filter { commit.touched.contains($0.path) }
                    if relevant.isEmpty {
                        cells[cluster.name] = .notWatched
                        continue
                    }
                    let times = relevant.flatMap { $0.deployed.filter { $0.position <= position }.map(\.time) }
                    cells[cluster.name] = times.min().map { .deployed($0) } ?? .pending
                }
                let details =
                    commit.details ?? history.details[commit.sha]
                    ?? CommitDetails(sha: commit.sha, author: "", subject: "", committerTime: commit.committerTime)
                rows.append(MatrixRow(repository: key.repository, commit: details, cells: cells))
            }
        }
        return rows
    }
}
