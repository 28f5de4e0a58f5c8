import Forges
import Foundation
import Logging

/// Builds deployment clients (the real ones, or test doubles).
public protocol DeploymentForgeFactory: Sendable {
    /// A deployment client for one endpoint.
    func client(for endpoint: ForgeEndpoint) throws -> any DeploymentForge
}

/// The real clients (`DeploymentClient.make`), on the same transport options as the status
/// clients: one write pacer per identity covers both kinds of write.
public struct LiveDeploymentForges: DeploymentForgeFactory {
    /// Creates the factory.
    public init() {}

    /// `DeploymentClient.make` with the endpoint's repository, credential and options.
    public func client(for endpoint: ForgeEndpoint) throws -> any DeploymentForge {
        try DeploymentClient.make(for: endpoint.repository, credential: endpoint.credential, options: endpoint.options)
    }
}

/// The deployments stage beside the statuses: desired (Deployments.swift) → read the forge per
/// environment → compare → apply in order. Repositories whose deployments cannot be read are left
/// alone, as for statuses: nothing is written on a guess.
public enum DeploymentStage {
    /// What the stage planned and did.
    public struct Outcome: Sendable {
        /// The plan.
        public var plan = DeploymentPlan()
        /// What happened to each write (empty on a dry run).
        public var results: [DeploymentResult] = []
        /// What could not be read or written.
        public var problems: [Problem] = []
    }

    /// Plans, and unless `dryRun`, applies. `budget` caps the deployment writes (what `--max-writes`
    /// leaves after the status writes; nil: no cap).
    public static func run(
        _ settings: DeploymentSettings, cluster: String, units: [PlanUnit], git: [String: GitFacts], policy: PlanPolicy,
        endpoints: [String: ForgeEndpoint], factory: any DeploymentForgeFactory, dryRun: Bool, concurrency: Int, logger: Logger,
        sources: [String: GitSource] = [:], repositories: (any RepositoryProvider)? = nil, budget: Int? = nil
    ) async -> Outcome {
        var outcome = Outcome()
        var units = units, git = git
        if let earlier = settings.earlierObservations {
            do {
                let byKustomization = Dictionary(grouping: try await earlier(cluster, policy.since), by: \.kustomization)
                for i in units.indices { units[i].observations += byKustomization[units[i].kustomization] ?? [] }
                git = await lookUp(units: units, git: git, sources: sources, repositories: repositories, logger: logger)
            } catch {
                // The live status and history still give the recent deployments: a note, not a failure.
                let why = "earlier observations could not be read (\(error)); deployments come from the cluster alone this run"
                outcome.problems.append(Problem("ledger", why, severity: .note, stage: .observe))
            }
        }
        var (desired, skips) = Deployments.desired(units: units, git: git, settings: settings, cluster: cluster, policy: policy)
        outcome.plan.skips = skips
        var clients: [String: any DeploymentForge] = [:]
        for repository in Set(desired.keys.map(\.repository)).sorted() {
            guard let endpoint = endpoints[repository] else {
                outcome.problems.append(Problem(repository, "no credential to write deployments with", stage: .readForge))
                continue
            }
            do { clients[repository] = try factory.client(for: endpoint) } catch {
                outcome.problems.append(Problem(repository, error, stage: .readForge))
            }
        }
        let targets = desired.keys.filter { clients[$0.repository] != nil }.sorted()
        let wanted = desired, readers = clients
        let reads = await targets.concurrentMap(limit: max(1, concurrency)) {
            target -> (DeploymentTarget, Result<[DeploymentRecord], Error>) in
            let shas = Set(wanted[target]!.map(\.sha))
            do {
                return (target, .success(try await readers[target.repository]!.deployments(environment: target.environment, shas: shas)))
            } catch { return (target, .failure(error)) }
        }
        var existing: [DeploymentTarget: [DeploymentRecord]] = [:]
        var unread: Set<String> = Set(desired.keys.map(\.repository)).subtracting(clients.keys)
        for (target, result) in reads {
            switch result {
            case .success(let records): existing[target] = records
            case .failure(let error):
                if !unread.contains(target.repository) { outcome.problems.append(Problem(target.repository, error, stage: .readForge)) }
                unread.insert(target.repository)
            }
        }
        desired = desired.filter { !unread.contains($0.key.repository) }
        outcome.plan = Deployments.compare(desired, existing: existing, forge: settings.forge)
        if let budget { outcome.plan = Deployments.limit(outcome.plan, to: budget) }
        outcome.plan.skips = skips
        logger.debug(
            "planned deployments",
            metadata: [
                "environments": .stringConvertible(outcome.plan.environments.count),
                "writes": .stringConvertible(outcome.plan.writes.count),
            ])
        guard !dryRun, !outcome.plan.writes.isEmpty else { return outcome }
        outcome.results = await apply(outcome.plan, clients: clients, concurrency: concurrency)
        for result in outcome.results where result.error != nil {
            outcome.problems.append(Problem(result.write.target.repository, result.error!, stage: .apply))
        }
        return outcome
    }

    /// Commits only earlier runs name are looked up in their repositories (reachable from a branch
    /// or tag, as the resolve stage requires), once per repository that has any; a repository
    /// that cannot be opened keeps what the resolve stage found.
    static func lookUp(
        units: [PlanUnit], git: [String: GitFacts], sources: [String: GitSource], repositories: (any RepositoryProvider)?,
        logger: Logger
    ) async -> [String: GitFacts] {
        guard let repositories else { return git }
        var result = git
        let byRepository = Dictionary(grouping: units.filter { $0.repository != nil }, by: { $0.repository! })
        for (key, group) in byRepository.sorted(by: { $0.key < $1.key }) {
            let known = git[key]?.commitTimes ?? [:]
            let unknown = group.flatMap(\.observations).contains { observation in
                guard case .success(let sha) = Revision.parse(observation.revision).flatMap({ $0.commit }) else { return false }
                return known[sha] == nil
            }
            guard unknown, git[key] != nil, let source = sources[key] else { continue }
            do {
                let repository = try await repositories.open(source)
                let facts = try await Resolve.facts(for: group, repository: key, in: repository, policy: PlanPolicy())
                result[key]?.commitTimes.merge(facts.git.commitTimes) { a, _ in a }
            } catch {
                logger.info("earlier deployments' commits not looked up", metadata: ["repository": "\(source.url)", "error": "\(error)"])
            }
        }
        return result
    }

    /// Writes each target's deployments in plan order (the order is what GitHub's `auto_inactive`
    /// and "latest deployment" read), targets side by side. A create that fails does not stop the
    /// target's later writes: the next run creates what is missing.
    public static func apply(
        _ plan: DeploymentPlan, clients: [String: any DeploymentForge], concurrency: Int
    ) async -> [DeploymentResult] {
        let byTarget = Dictionary(grouping: plan.writes.enumerated().map { ($0.offset, $0.element) }, by: \.1.target)
        let done = await byTarget.keys.sorted().concurrentMap(limit: max(1, concurrency)) { target -> [(Int, DeploymentResult)] in
            var results: [(Int, DeploymentResult)] = []
            for (index, write) in byTarget[target]! {
                guard let client = clients[target.repository] else {
                    let error = ForgeError(.configuration, repository: target.repository, message: "no forge client")
                    results.append((index, DeploymentResult(write: write, error: error)))
                    continue
                }
                do {
                    switch write.action {
                    case .create: _ = try await client.create(write.write)
                    case .setState: try await client.setState(of: write.existing!, to: write.write)
                    }
                    results.append((index, DeploymentResult(write: write, error: nil)))
                } catch {
                    let failure =
                        error as? ForgeError
                        ?? ForgeError(.unavailable, repository: target.repository, sha: write.write.sha, message: "\(error)")
                    results.append((index, DeploymentResult(write: write, error: failure)))
                }
            }
            return results
        }
        return done.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

extension ForgeEndpoint {
    /// An endpoint built outside the observe stage (benchmarks, tests): a repository, its
    /// credential and transport options.
    public init(repository: ForgeRepository, credential: ForgeCredential, transport options: ForgeOptions) {
        self.init(repository: repository, credential: credential, options: options)
    }
}
