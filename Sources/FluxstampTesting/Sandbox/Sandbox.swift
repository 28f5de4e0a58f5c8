import Foundation

/// A complete, local fluxstamp world in one directory: a generated git history, the Kubernetes API
/// emulator (HTTPS) loaded with Flux objects whose revisions are that history's commits, and a
/// GitHub emulator carrying what notification-controller left behind after an outage.
///
/// `Sandbox.start(directory:)` builds the default world: the `<dir>/fleet` repository
/// (`https://github.com/acme/fleet`, 40 first-parent commits over apps, infrastructure and clusters
/// for staging and production, two merges), the Kustomizations `apps-staging`, `apps-production`,
/// `infra-staging` (failing its health check now) and `infra-production` in `flux-system`, the
/// GitRepository `fleet`, Provider `github` (uid `0c9c2e41-…`), Alert `github-status` and Secret
/// `github-token`. With a `Scale` it builds the benchmark world instead (see `Scale`).
///
/// It writes `<dir>/kubeconfig`, `<dir>/fluxstamp.yaml` (for `fluxstamp --config`) and
/// `<dir>/sandbox.json` (addresses, token, repositories, Kustomizations), and serves until
/// `stop()`. Tests change the world through `store` and `fleet`, and read the forge through `github`.
public final class Sandbox: Sendable {
    /// The size of the benchmark world: `repositories` generated repositories
    /// (`https://github.com/acme/repo-NN` at `<dir>/repos/repo-NN`, bare) and `kustomizations`
    /// Kustomizations (`app-NNN`, path `./apps/app-NNN`) dealt over them, each with its own GitHub
    /// Provider and Alert per repository. Each Kustomization has 25 commits to backfill with
    /// `--intermediate deployed`.
    public struct Scale: Sendable, Hashable {
        /// Number of repositories.
        public var repositories: Int
        /// Number of Kustomizations.
        public var kustomizations: Int
        /// A scale; both counts must be at least 1.
        public init(repositories: Int, kustomizations: Int) {
            self.repositories = max(1, repositories)
            self.kustomizations = max(1, kustomizations)
        }
        /// 200 Kustomizations over 20 repositories: 5,000 statuses to backfill.
        public static let benchmark = Scale(repositories: 20, kustomizations: 200)
        /// Statuses a `sync --intermediate deployed` writes on a fresh world of this scale.
        public var statusesToBackfill: Int { kustomizations * 25 }
    }

    /// First commit time of generated histories (2026-11-18T09:00:00Z); fixed, so shas are too.
    public static let defaultStartTime = 1_794_992_400

    /// The directory everything lives in.
    public let directory: URL
    /// The Kubernetes API emulator.
    public let kube: KubeAPIEmulator
    /// The GitHub emulator (REST under `/api/v3`, GraphQL at `/api/graphql`).
    public let github: GitHubEmulator
    /// The generated repositories: the fleet, or `repo-00…` at scale.
    public let repositories: [SandboxRepository]
    /// What was loaded into the cluster and onto the forge.
    public let world: SandboxWorld
    /// The benchmark scale, or nil for the default (fleet) world.
    public let scale: Scale?

    /// The Kubernetes emulator's objects: patch a Kustomization's status with `store.update(…)`.
    public var store: KubeObjectStore { kube.store }
    /// The first repository (the fleet in the default world).
    public var fleet: SandboxRepository { repositories[0] }
    /// `<dir>/kubeconfig`.
    public var kubeconfigURL: URL { directory.appendingPathComponent("kubeconfig") }
    /// `<dir>/fluxstamp.yaml`.
    public var configURL: URL { directory.appendingPathComponent("fluxstamp.yaml") }
    /// `<dir>/sandbox.json`.
    public var manifestURL: URL { directory.appendingPathComponent("sandbox.json") }
    /// `<dir>/cache`, the `cacheDir` of the written configuration.
    public var cacheURL: URL { directory.appendingPathComponent("cache") }
    /// The GitHub API base URL as fluxstamp's GitHub client takes it (`http://127.0.0.1:PORT/api/v3`).
    public var githubAPIBaseURL: String { github.baseURL + "/api/v3" }

    private init(
        directory: URL, kube: KubeAPIEmulator, github: GitHubEmulator, repositories: [SandboxRepository], world: SandboxWorld,
        scale: Scale?
    ) {
        self.directory = directory
        self.scale = scale
        self.kube = kube
        self.github = github
        self.repositories = repositories
        self.world = world
    }

    /// Builds the world in `directory` (replacing a previous sandbox's repositories, cache and
    /// files there), starts both emulators and writes the files. `kubeCredential` is how the
    /// written kubeconfig authenticates (bearer token by default, or a client certificate).
    public static func start(
        directory: URL, scale: Scale? = nil, startTime: Int = defaultStartTime,
        kubeCredential: KubeAPIEmulator.Credential = .defaultToken
    ) async throws -> Sandbox {
        let directory = directory.standardizedFileURL
        let token = "sandbox-github-token-0c9c2e41"
        // git runs as child processes: keep that off the cooperative pool.
        let (repositories, world) = try await offPool { () throws -> ([SandboxRepository], SandboxWorld) in
            try prepare(directory)
            if let scale { return try generateScale(in: directory, scale: scale, startTime: startTime, token: token) }
            return try generateFleet(in: directory, startTime: startTime, token: token)
        }
        let kube = try await KubeAPIEmulator.start(fixtures: [world.fixtures])
        let github: GitHubEmulator
        do {
            github = try await GitHubEmulator.start(
                .init(token: token),
                repositories: Set(
                    repositories.map { repo in
                        String(repo.url.dropFirst("https://github.com/".count))
                    }))
        } catch {
            await kube.shutdown()
            throw error
        }
        for seed in world.seededStatuses {
            github.seed(
                sha: seed.sha, context: seed.context, state: seed.state, description: seed.description,
                creator: seed.context.hasPrefix("ci/") ? "github-actions[bot]" : "fluxcd-bot",
                at: Date(timeIntervalSince1970: TimeInterval(seed.time)))
        }
        let sandbox = Sandbox(directory: directory, kube: kube, github: github, repositories: repositories, world: world, scale: scale)
        do {
            try sandbox.writeFiles(kubeCredential: kubeCredential)
        } catch {
            await sandbox.stop()
            throw error
        }
        return sandbox
    }

    /// Stops both emulators. The directory and its repositories stay.
    public func stop() async {
        await kube.shutdown()
        await github.shutdown()
    }

    /// Every status the GitHub emulator holds for a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { github.statuses(of: sha) }

    /// The newest status of a commit in one context (case-insensitive), if any.
    public func latestStatus(of sha: String, context: String) -> EmulatedStatus? {
        github.statuses(of: sha).first { $0.context.lowercased() == context.lowercased() }
    }

    /// Changes a Kustomization in `flux-system` in place (e.g. its `status`); false when absent.
    @discardableResult
    public func updateKustomization(
        _ name: String, namespace: String = "flux-system",
        _ change: @Sendable (inout JSONValue) -> Void
    ) async -> Bool {
        await store.update(kind: "Kustomization", namespace: namespace, name: name, change)
    }

    /// Runs blocking work (git, a child process) on a Dispatch thread, so the emulators, which
    /// answer on the cooperative pool, keep serving while it waits.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func prepare(_ directory: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["fleet", "repos", "cache", "kubeconfig", "fluxstamp.yaml", "sandbox.json"] {
            let url = directory.appendingPathComponent(name)
            if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
        }
    }

    private static func generateFleet(in directory: URL, startTime: Int, token: String) throws -> ([SandboxRepository], SandboxWorld) {
        let history = FleetHistory.build(startTime: startTime)
        let location = directory.appendingPathComponent("fleet")
        let marks = try history.importInto(location, bare: false)
        let repository = SandboxRepository(directory: location, url: FleetWorld.repositoryURL, isBare: false, clock: history.time)
        return ([repository], FleetWorld.make(history: history, marks: marks, token: token))
    }

    private static func generateScale(
        in directory: URL, scale: Scale, startTime: Int, token: String
    ) throws -> ([SandboxRepository], SandboxWorld) {
        let scale = Scale(repositories: min(scale.repositories, scale.kustomizations), kustomizations: scale.kustomizations)
        let count = scale.repositories
        let results = LockedBox([Int: Result<(HistoryBuilder, [Int: String]), Error>]())
        DispatchQueue.concurrentPerform(iterations: count) { r in
            let history = ScaleWorld.build(repository: r, scale: scale, startTime: startTime)
            let location = directory.appendingPathComponent("repos").appendingPathComponent(ScaleWorld.repositoryName(r))
            let result = Result { (history, try history.importInto(location, bare: true)) }
            results.withValue { $0[r] = result }
        }
        let histories = try (0..<count).map { try results.get()[$0]!.get() }
        let repositories = (0..<count).map { r in
            SandboxRepository(
                directory: directory.appendingPathComponent("repos").appendingPathComponent(ScaleWorld.repositoryName(r)),
                url: "https://github.com/acme/\(ScaleWorld.repositoryName(r))", isBare: true, clock: histories[r].0.time)
        }
        return (repositories, ScaleWorld.make(histories: histories, scale: scale, token: token))
    }
}
