import Foundation
import GitHistory
import Kube
import Logging
import Reconcile
import RepositoryAddress

/// `fluxstamp wait`: until the Kustomizations that deploy a commit are Ready at a revision that
/// includes it, one fails at such a revision, or the time runs out.
///
/// Which Kustomizations deploy the commit: those selected (namespace, selector, names as for
/// `sync`) whose source's tracked branch contains it (git ancestry; a source that tracks a tag,
/// semver range or commit counts when any branch or tag contains it) and, unless `all`, whose
/// `spec.path` the commit touches compared with its first parent. The cluster is read through the
/// pipeline's `ClusterReader` and each Kustomization's status interpreted by `Observe.observations`,
/// the same reading `sync` makes.
public struct CommitWait: Sendable {
    /// The commit as given: a full or abbreviated sha, or a Flux revision (`main@sha1:…`).
    public var commit: String
    /// Which Kustomizations (namespace, selector, names) and where repositories live.
    public var settings: PipelineSettings
    /// Wait for every selected Kustomization whose branch contains the commit, whatever it touches.
    public var all: Bool
    /// How long to wait in all.
    public var timeout: Duration
    /// Time between two reads of the cluster.
    public var pollInterval: Duration
    /// The cluster.
    public var cluster: any ClusterReader
    /// The git repositories (fetched again when Flux names a commit the copy does not have yet).
    public var repositories: any RepositoryProvider
    /// Progress lines (one per change of a Kustomization's state).
    public var logger: Logger

    /// Creates a wait.
    public init(
        commit: String, settings: PipelineSettings, all: Bool = false, timeout: Duration, pollInterval: Duration,
        cluster: any ClusterReader, repositories: any RepositoryProvider, logger: Logger
    ) {
        self.commit = commit
        self.settings = settings
        self.all = all
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.cluster = cluster
        self.repositories = repositories
        self.logger = logger
    }

    /// A Kustomization that was not waited for, and why.
    public struct NotWaited: Sendable, Hashable {
        /// Which one.
        public var kustomization: KustomizationID
        /// Why (`its branch main does not contain the commit`, `the commit does not touch apps`).
        public var why: String
    }

    /// How the wait ended.
    public struct Outcome: Sendable {
        /// The commit's full sha (empty when no repository has it).
        public var sha: String
        /// Each waited Kustomization's last state, ordered by namespace and name.
        public var waited: [(kustomization: KustomizationID, state: DeploymentState)]
        /// The selected Kustomizations not waited for.
        public var notWaited: [NotWaited]
        /// Whether the time ran out with some still pending.
        public var timedOut: Bool

        /// Every waited Kustomization is deployed (true when none had to be waited for).
        public var deployed: Bool { waited.allSatisfy { if case .deployed = $0.state { return true } else { return false } } }
        /// Those that failed at a revision including the commit.
        public var failures: [(kustomization: KustomizationID, state: DeploymentState)] {
            waited.filter { if case .failed = $0.state { return true } else { return false } }
        }
        /// Those still pending.
        public var pending: [(kustomization: KustomizationID, state: DeploymentState)] { waited.filter { !$0.state.isSettled } }
    }

    /// Why a wait could not start or go on.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The Kustomizations could not be listed.
        case cluster(String)
        /// No repository of the selected Kustomizations has the commit.
        case commitNotFound(String)
        /// The argument is neither a sha nor a revision naming one.
        case badCommit(String)

        public var description: String {
            switch self {
            case .cluster(let text), .commitNotFound(let text), .badCommit(let text): return text
            }
        }
    }

    /// The sha or abbreviated sha in a `wait` argument: a Flux revision (`main@sha1:…`, `sha1:…`)
    /// or 4 to 40 hex digits; nil when it names no commit.
    public static func commitSpec(_ argument: String) -> String? {
        if argument.range(of: "^[0-9a-fA-F]{4,40}$", options: .regularExpression) != nil { return argument.lowercased() }
        if case .success(let sha) = Revision.parse(argument).flatMap({ $0.commit }) { return sha }
        return nil
    }

    /// One Kustomization waited for: where its commits live.
    struct Watch {
        var id: KustomizationID
        var key: String
    }

    /// Runs until an end; `sleep` is how the wait between polls is taken (tests pass their own).
    public func run(
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws(Failure)
        -> Outcome
    {
        guard let spec = Self.commitSpec(commit) else {
            throw .badCommit("'\(commit)' is neither a commit sha nor a Flux revision (main@sha1:…); give the commit to wait for")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var inventory = try await read()
        let entries = selected(inventory)
        // Open each repository once and find the commit in it.
        var open: [String: (source: GitSource, repository: Repository)] = [:]
        var shas: [String: ObjectID] = [:]
        var notWaited: [NotWaited] = []
        var watches: [Watch] = []
        for entry in entries {
            let id = Self.id(entry.kustomization)
            guard let url = entry.gitRepository?.spec.url ?? entry.ociRepository?.originSource else {
                notWaited.append(NotWaited(kustomization: id, why: "its source has no git repository"))
                continue
            }
            let key = RepositoryAddress.key(url)
            if open[key] == nil {
                let secret = entry.gitRepository.flatMap { g in g.spec.secretRef.map { (g.metadata.namespace ?? "", $0.name) } }
                let source = GitSource(url: url, secretNamespace: secret?.0, secretName: secret?.1)
                do {
                    open[key] = (source, try await repositories.open(source))
                } catch {
                    notWaited.append(NotWaited(kustomization: id, why: "its repository \(url) could not be read: \(error)"))
                    continue
                }
                if let repository = open[key]?.repository,
                    let found = try? await repository.withRepository({ try $0.resolve(spec) })
                {
                    shas[key] = found
                }
            }
            guard let repository = open[key]?.repository else { continue }
            guard let sha = shas[key] else {
                notWaited.append(NotWaited(kustomization: id, why: "\(url) has no commit \(spec)"))
                continue
            }
            let branch = entry.gitRepository?.spec.ref?.branch
            let path = entry.kustomization.spec.path ?? "."
            let all = self.all
            let why = await repository.withRepository { repository -> String? in
                Self.whyNotWaited(sha, branch: branch, path: all ? nil : path, in: repository)
            }
            if let why { notWaited.append(NotWaited(kustomization: id, why: why)) } else { watches.append(Watch(id: id, key: key)) }
        }
        if watches.isEmpty, !open.isEmpty, shas.isEmpty {
            let urls = open.values.map(\.source.url).sorted().joined(separator: ", ")
            throw .commitNotFound("no commit \(spec) in \(urls): push it first, or check the sha")
        }
        let sha = shas.values.first?.hex ?? ""
        for watch in watches { logger.info("waiting for \(watch.id)", metadata: ["commit": "\(sha.prefix(12))"]) }
        var states: [KustomizationID: DeploymentState] = [:]
        while true {
            let byID = Dictionary(selected(inventory).map { (Self.id($0.kustomization), $0) }, uniquingKeysWith: { a, _ in a })
            for watch in watches {
                guard let entry = byID[watch.id], var repository = open[watch.key]?.repository else {
                    states[watch.id] = .pending("not found in the cluster")
                    continue
                }
                let observations = Self.observations(entry)
                var included = try? await Self.inclusion(observations, of: shas[watch.key]!, in: repository)
                if included?.values.contains(where: { $0 == nil }) ?? true, let source = open[watch.key]?.source,
                    let fetched = try? await repositories.open(source)
                {
                    // Flux names a commit this copy does not have yet: fetch once, then decide.
                    open[watch.key] = (source, fetched)
                    repository = fetched
                    included = try? await Self.inclusion(observations, of: shas[watch.key]!, in: repository)
                }
                let table = included ?? [:]
                let state = DeploymentState.decide(observations) { table[$0] ?? nil }
                if states[watch.id] != state { logger.info("\(watch.id): \(state)") }
                states[watch.id] = state
            }
            let waited = watches.map { ($0.id, states[$0.id] ?? .pending("not read")) }.sorted { $0.0 < $1.0 }
            let outcome = Outcome(
                sha: sha, waited: waited, notWaited: notWaited.sorted { $0.kustomization < $1.kustomization }, timedOut: false)
            if !outcome.failures.isEmpty || outcome.pending.isEmpty { return outcome }
            let left = deadline - clock.now
            if left <= .zero {
                var late = outcome
                late.timedOut = true
                return late
            }
            do { try await sleep(min(pollInterval, left)) } catch {
                return Outcome(sha: sha, waited: waited, notWaited: notWaited, timedOut: true)
            }
            inventory = try await read()
        }
    }

    private func read() async throws(Failure) -> FluxInventory {
        do { return try await cluster.inventory(namespace: settings.namespace, selector: settings.selector, events: false) } catch {
            throw .cluster("\(error)")
        }
    }

    private func selected(_ inventory: FluxInventory) -> [FluxInventory.Entry] {
        inventory.entries.filter { settings.names.isEmpty || settings.names.contains($0.kustomization.metadata.name) }
    }

    static func id(_ k: Kustomization) -> KustomizationID { KustomizationID(namespace: k.metadata.namespace ?? "", name: k.metadata.name) }

    /// What `sync` observes for the Kustomization now (no events: only the current status counts).
    static func observations(_ entry: FluxInventory.Entry) -> [Observation] {
        var ociOrigin: (artifact: String, origin: String)?
        var sourceRevision = entry.gitRepository?.status?.artifact?.revision
        if let oci = entry.ociRepository, let artifact = oci.status?.artifact?.revision, let origin = oci.originRevision {
            ociOrigin = (artifact, origin)
            sourceRevision = origin
        }
        return Observe.observations(of: entry.kustomization, ociOrigin: ociOrigin, sourceRevision: sourceRevision, now: Date())
    }

    /// For each revision observed: whether it includes `sha` (nil: its commit is not in the copy).
    static func inclusion(_ observations: [Observation], of sha: ObjectID, in repository: Repository) async throws -> [String: Bool?] {
        let revisions = Set(observations.filter { $0.origin == .status }.map(\.revision))
        return try await repository.withRepository { repository -> [String: Bool?] in
            var table: [String: Bool?] = [:]
            for revision in revisions {
                guard case .success(let hex) = Revision.parse(revision).flatMap({ $0.commit }), let id = ObjectID(hex: hex) else {
                    table[revision] = false
                    continue
                }
                table[revision] = repository.hasCommit(id) ? try repository.contains(sha, in: id) : nil
            }
            return table
        }
    }

    /// Why a Kustomization does not deploy `sha`, or nil when it does: its tracked branch (or,
    /// without one, any branch or tag) must contain the commit, and the commit must touch `path`
    /// (nil: any path).
    static func whyNotWaited(_ sha: ObjectID, branch: String?, path: String?, in repository: Repository) -> String? {
        if let branch {
            guard let tip = try? repository.resolve("refs/heads/\(branch)") else { return "its branch \(branch) is not in the repository" }
            guard (try? repository.contains(sha, in: tip)) == true else { return "its branch \(branch) does not contain the commit" }
        } else {
            let tips = (try? repository.refTips()) ?? []
            guard (try? repository.isReachable(sha, fromAny: tips)) == true else { return "no branch or tag contains the commit" }
        }
        guard let path, let normalised = RepoPath.normalise(path), !normalised.isEmpty else { return nil }
        var touched = true
        try? repository.walkFirstParent(from: sha, paths: [normalised], limits: WalkLimits(maxCount: 1)) { commit in
            touched = !commit.touched.isEmpty
            return false
        }
        return touched ? nil : "the commit does not touch its path \(normalised) (--all waits for it anyway)"
    }
}
