import Forges
import Foundation
import GitHistory
import Ledger
import Logging
import Reconcile

/// Gathers an `AuditInput` from its four sources, in the order each needs the one before:
///
/// 1. each cluster (`ClusterRecords`): Kustomizations, current status, `status.history`, events;
/// 2. the ledger (`LedgerRecords`), when given: what earlier runs saw, merged by Kustomization;
/// 3. git (`GitRecords`): one first-parent walk per tracked branch, for every watched path at once,
///    past every deployed commit;
/// 4. the forges (`ForgeRecords`), when asked: statuses of the window's commits on those branches.
///
/// Whatever cannot be read becomes a `Problem` and the report goes on without it.
public struct AuditGathering: Sendable {
    /// One cluster to read.
    public struct Cluster: Sendable {
        /// Its name in the report (and in the ledger).
        public var name: String
        /// Its API.
        public var reader: any ClusterReader
        /// Selection (namespace, selector, names), repositories, cache directory, forge hosts.
        public var settings: PipelineSettings

        /// A cluster to read.
        public init(name: String, reader: any ClusterReader, settings: PipelineSettings) {
            self.name = name
            self.reader = reader
            self.settings = settings
        }
    }

    /// The clusters, in report order.
    public var clusters: [Cluster]
    /// The ledger, if any.
    public var ledger: Ledger?
    /// Forge clients; nil to leave the forges unread.
    public var forges: (any ForgeFactory)?
    /// Forge transport options (pacing, retries, logger).
    public var forgeOptions: ForgeOptions
    /// Opens the repositories of a cluster's sources (local paths, or mirrors with its Secrets).
    public var repositories: @Sendable (Cluster) -> any RepositoryProvider
    /// Window start.
    public var since: Date
    /// Window end.
    public var until: Date
    /// Now.
    public var now: Date
    /// The run's logger.
    public var logger: Logger

    /// A gathering.
    public init(
        clusters: [Cluster], ledger: Ledger?, forges: (any ForgeFactory)?, forgeOptions: ForgeOptions,
        repositories: @escaping @Sendable (Cluster) -> any RepositoryProvider, since: Date, until: Date, now: Date, logger: Logger
    ) {
        self.clusters = clusters
        self.ledger = ledger
        self.forges = forges
        self.forgeOptions = forgeOptions
        self.repositories = repositories
        self.since = since
        self.until = until
        self.now = now
        self.logger = logger
    }

    /// Reads every source and returns the report's input and what could not be read.
    public func gather() async -> (input: AuditInput, problems: [Problem]) {
        var problems: [Problem] = []
        var read: [(cluster: Cluster, records: ClusterRecords)] = []
        for cluster in clusters {
            do {
                var records = try await ClusterRecords.read(
                    cluster.reader, name: cluster.name, settings: cluster.settings, forgeOptions: forgeOptions, now: now,
                    logger: logger)
                problems += records.observed.problems
                if let ledger {
                    do {
                        let stored = try await LedgerRecords.facts(ledger, cluster: cluster.name)
                        for i in records.kustomizations.indices {
                            let k = records.kustomizations[i]
                            records.kustomizations[i].facts += stored["\(k.namespace)/\(k.name)"] ?? []
                        }
                    } catch {
                        problems.append(Problem("ledger \(ledger.url)", error, stage: .observe))
                    }
                }
                for i in records.kustomizations.indices { records.kustomizations[i].facts = relevant(records.kustomizations[i].facts) }
                read.append((cluster, records))
            } catch {
                problems.append(Problem("cluster \(cluster.name)", "the Kustomizations could not be listed: \(error)", stage: .observe))
            }
        }

        // One walk per tracked branch, for every path watched on it in any cluster.
        var branches: [BranchKey: (paths: [String], deployed: Set<String>, source: GitSource?, cluster: Cluster)] = [:]
        for (cluster, records) in read {
            for k in records.kustomizations {
                guard let key = k.history else { continue }
                var entry = branches[key] ?? ([], [], records.observed.sources[key.repository], cluster)
                if !entry.paths.contains(k.path) { entry.paths.append(k.path) }
                entry.deployed.formUnion(k.facts.compactMap(\.sha))
                if let sha = k.live?.sha { entry.deployed.insert(sha) }
                branches[key] = entry
            }
        }
        var histories: [BranchKey: BranchHistory] = [:]
        for (key, entry) in branches.sorted(by: { $0.key < $1.key }) {
            guard let source = entry.source else {
                histories[key] = BranchHistory(tip: nil, paths: entry.paths, commits: [], unreadable: "no git source for \(key.repository)")
                continue
            }
            do {
                let repository = try await repositories(entry.cluster).open(source)
                histories[key] = try await GitRecords.history(
                    repository, branch: key.branch, paths: entry.paths, deployed: entry.deployed, since: since)
            } catch {
                let why = "branch \(key.branch) of \(source.url) could not be read: \(error)"
                histories[key] = BranchHistory(tip: nil, paths: entry.paths, commits: [], unreadable: why)
                problems.append(Problem("repository \(source.url)", why, stage: .resolve))
            }
        }

        if let forges {
            for index in read.indices {
                let records = read[index].records
                // The window's commits on each branch, and every deployed commit on it.
                var shas: [String: Set<String>] = [:]
                for k in records.kustomizations {
                    guard let key = k.history, let history = histories[key],
                        let repository = records.observed.units.first(where: {
                            $0.kustomization.namespace == k.namespace && $0.kustomization.name == k.name
                        })?.repository
                    else { continue }
                    let onChain = Set(history.commits.map(\.sha))
                    shas[repository, default: []].formUnion(history.commits.filter { $0.committerTime >= since }.map(\.sha))
                    shas[repository, default: []].formUnion(k.facts.compactMap(\.sha).filter(onChain.contains))
                }
                let (clients, clientProblems) = ReadForge.clients(for: records.observed.forges, factory: forges)
                let (facts, forgeProblems) = await ForgeRecords.facts(
                    units: records.observed.units, shas: shas, clients: clients, logger: logger)
                problems += clientProblems + forgeProblems
                for i in read[index].records.kustomizations.indices {
                    let k = read[index].records.kustomizations[i]
                    read[index].records.kustomizations[i].facts += facts["\(k.namespace)/\(k.name)"] ?? []
                }
            }
        }
        let input = AuditInput(
            since: since, until: until, now: now,
            clusters: read.map { ClusterFacts(name: $0.records.name, kustomizations: $0.records.kustomizations) },
            histories: histories)
        return (input, problems)
    }

    /// The facts a report needs: everything from the window on, and before it only the two newest
    /// successes (the deployment before the window's first, whose commit bounds what that one
    /// carried), so a long ledger does not send the git walk to the beginning of history.
    func relevant(_ facts: [DeploymentFact]) -> [DeploymentFact] {
        func time(_ fact: DeploymentFact) -> Date? { fact.firstTime ?? fact.lastTime }
        let before = facts.filter { fact in time(fact).map { $0 < since } ?? false }
        let keep = Set(
            before.filter { $0.outcome == .succeeded }.sorted { time($0)! > time($1)! }.compactMap(\.sha).reduce(into: [String]()) {
                if !$0.contains($1), $0.count < 2 { $0.append($1) }
            })
        return facts.filter { fact in
            guard let t = time(fact), t < since else { return true }
            return fact.sha.map(keep.contains) ?? false
        }
    }
}
