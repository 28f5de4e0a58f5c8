import Forges
import Foundation
import Kube
import Logging

/// One run of `sync` or `plan`, as a library: the stages in order, each a function from one plain
/// value to the next (read the files in this order to follow a Kustomization from the API
/// response to the request that writes its status):
///
/// 1. `Observe` (Observe.swift, Routes.swift): cluster → `Observed` (plan units, git sources, forge endpoints),
///    plus, with a ledger, earlier runs' facts about commits the cluster no longer mentions (`earlierObservations`)
/// 2. `Resolve` (Resolve.swift, Selection.swift): `Observed` → `Resolved` (git facts, selections)
/// 3. `Planner.desired` (Planner.swift): → `Planner.Desired` (the statuses that should exist)
/// 4. `ReadForge` (ReadForge.swift): → `Existing` (what the forge shows for exactly those)
/// 5. `Planner.compare` (Planner.swift): → `Plan` (writes, skips, unchanged)
/// 6. `Apply` (Apply.swift): → `[WriteResult]`
///
/// I/O sits behind `ClusterReader`, `RepositoryProvider` and `ForgeFactory` (Ports.swift), so the
/// whole pipeline runs in-process in tests.
public struct Pipeline: Sendable {
    /// What to do.
    public var settings: PipelineSettings
    /// The cluster.
    public var cluster: any ClusterReader
    /// The git repositories.
    public var repositories: any RepositoryProvider
    /// The forge clients.
    public var forges: any ForgeFactory
    /// Transport options for every forge client (pacing registry, retries, clock).
    public var forgeOptions: ForgeOptions
    /// The run's logger.
    public var logger: Logger
    /// The deployment clients (`--deployments`; DeploymentStage.swift).
    public var deploymentForges: any DeploymentForgeFactory = LiveDeploymentForges()

    /// Creates a pipeline.
    public init(
        settings: PipelineSettings, cluster: any ClusterReader, repositories: any RepositoryProvider,
        forges: any ForgeFactory = LiveForges(), forgeOptions: ForgeOptions = ForgeOptions(), logger: Logger
    ) {
        self.settings = settings
        self.cluster = cluster
        self.repositories = repositories
        self.forges = forges
        self.forgeOptions = forgeOptions
        self.logger = logger
    }

    /// What a run found and did.
    public struct Report: Sendable {
        /// The plan (writes, skips, unchanged, observed).
        public var plan: Plan
        /// What happened to each write (empty on a dry run).
        public var results: [WriteResult] = []
        /// Everything unusable or worth saying, in stage order.
        public var problems: [Problem] = []
        /// Suspended Kustomizations (observed anyway).
        public var suspended: Set<KustomizationID> = []
        /// Kustomizations selected.
        public var kustomizations = 0
        /// First-parent walks performed to find intermediate commits.
        public var walks = 0
        /// Every observation considered (what the ledger records).
        public var observations: [Observation] = []
        /// The deployments planned (`--deployments`; empty otherwise).
        public var deployments = DeploymentPlan()
        /// What happened to each deployment write (empty on a dry run).
        public var deploymentResults: [DeploymentResult] = []
        /// Each selected Kustomization's git repository (`RepositoryAddress.key`), for links in
        /// notifications.
        public var repositories: [KustomizationID: String] = [:]

        /// Writes that failed.
        public var failedWrites: [WriteResult] { results.filter { $0.error != nil } }
        /// Whether the run should exit 1: an unusable input or a failed write.
        public var hasFailures: Bool { !failedWrites.isEmpty || problems.contains { $0.severity == .failure } }
        /// Whether a failure was a refused credential (a forge's or the cluster's 401/403): the
        /// command exits 3, since running again cannot help.
        public var credentialRefused: Bool {
            problems.contains { $0.severity == .failure && $0.credentialRefused }
                || failedWrites.contains { $0.error.map(Problem.refusesCredential) ?? false }
        }
    }

    /// Why a run stopped before planning.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The Kustomizations could not be listed (the error says why and what to do).
        case cluster(any Error & Sendable)

        public var description: String {
            switch self {
            case .cluster(let error): return "\(error)"
            }
        }
    }

    /// Runs every stage; with `dryRun`, stops after planning. `progress` hears how many writes are
    /// done of how many; `finished` hears each write's result as it comes.
    public func run(
        dryRun: Bool, now: Date = Date(), progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        finished: (@Sendable (WriteResult) -> Void)? = nil
    ) async throws(Failure) -> Report {
        let observed: Observed
        do {
            observed = try await Observe.run(cluster, settings: settings, forgeOptions: forgeOptions, now: now, logger: logger)
        } catch {
            throw .cluster(error)
        }
        // The statuses are planned from the cluster's observations and the ledger's of commits the
        // cluster has forgotten; the ledger records (and the deployments stage reads) the cluster's alone.
        var planned = observed
        let earlier = await Self.earlierObservations(settings, now: now, units: observed.units)
        planned.units = earlier.units
        let resolved = await Resolve.run(
            planned, repositories: repositories, policy: settings.policy,
            concurrency: settings.fetchConcurrency, logger: logger)
        var desired = Planner.desired(
            units: planned.units, git: resolved.git, unreadable: resolved.unreadable,
            policy: settings.policy
        ) { resolved.selections[$0.kustomization] }
        if !settings.statuses { desired.statuses = [] }  // --statuses=false: deployments only
        let (clients, clientProblems) = ReadForge.clients(for: observed.forges, factory: forges)
        let sources = observed.forges.compactMapValues(\.credentialSource)
        let existing = await ReadForge.run(desired, clients: clients, credentialSources: sources, logger: logger)
        // Nothing is written on a guess: without the current statuses, a repository is left alone.
        desired.statuses.removeAll { existing.unread.contains($0.target.endpoint) }
        let plan = Planner.compare(desired, existing: existing.statuses, policy: settings.policy)
        var report = Report(
            plan: plan, problems: observed.problems + earlier.problems + resolved.problems + clientProblems + existing.problems,
            suspended: observed.suspended, kustomizations: observed.units.count, walks: resolved.walks,
            observations: observed.units.flatMap(\.observations))
        if let deployments = settings.deployments {
            let stage = await DeploymentStage.run(
                deployments, cluster: settings.clusterName, units: observed.units, git: resolved.git, policy: settings.policy,
                endpoints: observed.forges, factory: deploymentForges, dryRun: dryRun, concurrency: settings.writeConcurrency,
                logger: logger, sources: observed.sources, repositories: repositories,
                budget: settings.policy.maxWrites.map { max(0, $0 - plan.writes.count) })  // one budget with the statuses
            report.deployments = stage.plan
            report.deploymentResults = stage.results
            report.problems += stage.problems
        }
        report.repositories = Dictionary(
            observed.units.compactMap { unit in unit.repository.map { (unit.kustomization, $0) } }, uniquingKeysWith: { a, _ in a })
        guard !dryRun, !plan.writes.isEmpty else { return report }
        // Where pacing is off (a forge without write limits), more writes may be in flight at once.
        let unpaced = Set(observed.forges.filter { $0.value.options.writePacing == .unlimited }.keys)
        let concurrency = settings.writeConcurrency
        report.results = await Apply.run(
            plan, clients: clients, concurrency: { unpaced.contains($0) ? max(concurrency, 16) : concurrency },
            credentialSources: sources, logger: logger, progress: progress, finished: finished)
        return report
    }

    /// The units with the ledger's observations of the commits their own observations do not
    /// mention, last seen since `policy.since` (else the window); a ledger that cannot be read is a note.
    static func earlierObservations(
        _ settings: PipelineSettings, now: Date, units: [PlanUnit]
    ) async -> (units: [PlanUnit], problems: [Problem]) {
        guard let read = settings.earlierObservations else { return (units, []) }
        let since = settings.policy.since ?? now.addingTimeInterval(-settings.earlierObservationsWindow)
        let byKustomization: [KustomizationID: [Observation]]
        do {
            byKustomization = Dictionary(grouping: try await read(settings.clusterName, since), by: \.kustomization)
        } catch {
            let why = "earlier observations could not be read (\(error)); statuses come from the cluster alone this run"
            return (units, [Problem("ledger", why, severity: .note, stage: .observe)])
        }
        func commit(_ o: Observation) -> String? { try? Revision.parse(o.revision).flatMap { $0.commit }.get() }
        var units = units
        for i in units.indices {
            let known = Set(units[i].observations.compactMap(commit))
            units[i].observations += (byKustomization[units[i].kustomization] ?? []).filter { o in
                commit(o).map { !known.contains($0) } ?? false
            }
        }
        return (units, [])
    }
}
