import ArgumentParser
import Forges
import Foundation
import GitHistory
import Kube
import Reconcile
import RepositoryAddress

/// One run of `sync` or `plan`: observe the cluster, resolve git, plan, and (unless dry) write.
/// The data flow reads top to bottom; each step's problems are logged and the run goes on.
struct SyncRun {
    let settings: SyncSettings
    let dryRun: Bool
    let log: RunLog
    var now = Date()

    /// What the run found and did.
    struct Outcome {
        var plan: Plan
        var results: [WriteResult] = []
        var problems: [String] = []
        var suspended: Set<KustomizationID> = []
    }

    func run() async throws -> Outcome {
        // Cluster → inventory. A connection that cannot be configured is a usage error (exit 2).
        let client: KubeClient
        do { client = try await settings.cluster.connect() } catch {
            throw RunFailure.configuration(error.description)
        }
        do {
            let outcome = try await run(FluxAPI(client: client))
            await client.shutdown()
            return outcome
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func run(_ api: FluxAPI) async throws -> Outcome {
        let inventory: FluxInventory
        do {
            inventory = try await FluxInventory.read(api, namespace: settings.namespace, labelSelector: settings.selector)
        } catch {
            throw RunFailure.unusable("\(error)")
        }
        var problems = inventory.problems.map(\.description)
        let entries = inventory.entries.filter { settings.names.isEmpty || settings.names.contains($0.kustomization.metadata.name) }
        log.info("observed \(entries.count) Kustomizations", ["cluster": settings.clusterName])

        // Kustomizations → plan units (observations, repository, targets) and forge clients.
        var targets = ForgeTargets(settings: settings, api: api, options: ForgeOptions())
        var units: [PlanUnit] = []
        var gitSources: [String: (url: String, secret: (namespace: String, name: String)?)] = [:]
        var suspended: Set<KustomizationID> = []
        for entry in entries {
            let k = entry.kustomization
            let id = KustomizationID(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            if k.isSuspended { suspended.insert(id) }
            let source = Self.source(of: entry)
            var ociOrigin: (artifact: String, origin: String)?
            if let oci = entry.ociRepository, let artifact = oci.status?.artifact?.revision, let origin = oci.originRevision {
                ociOrigin = (artifact, origin)
            }
            let observations = Observe.observations(of: k, ociOrigin: ociOrigin, now: now)
            let unitTargets = await targets.targets(for: entry, inventory: inventory, sourceURL: source.url)
            let repository = source.url.map(RepositoryAddress.key)
            if let repository, let url = source.url, gitSources[repository] == nil || gitSources[repository]?.secret == nil {
                let secret = entry.gitRepository.flatMap { g in g.spec.secretRef.map { (g.metadata.namespace ?? "", $0.name) } }
                gitSources[repository] = (url, secret)
            }
            units.append(PlanUnit(kustomization: id, repository: repository, unsupported: source.unsupported,
                                  path: k.spec.path ?? ".", targets: unitTargets, observations: observations, suspended: k.isSuspended))
        }
        problems += targets.problems
        for note in targets.notes { log.info(note) }

        // Repositories: one fetch (or local path) per URL, shared by every Kustomization using it.
        var facts: [String: GitFacts] = [:]
        for (repository, source) in gitSources.sorted(by: { $0.key < $1.key }) {
            do {
                let repo = try await openRepository(url: source.url, secret: source.secret, api: api)
                facts[repository] = Resolve.gitFacts(for: units.filter { $0.repository == repository }, in: repo, policy: settings.policy)
            } catch {
                problems.append("repository \(source.url): \(error)")
                for i in units.indices where units[i].repository == repository {
                    units[i].unsupported = "its repository could not be read: \(error)"
                }
            }
        }

        // Plan: what should exist; read exactly those commits' statuses; decide the writes.
        var desired = Planner.desired(units: units, git: facts, policy: settings.policy)
        var existing: [String: [String: [CommitStatus]]] = [:]
        let clients = targets.clients
        let reads = await withTaskGroup(of: (String, Result<[String: [CommitStatus]], Error>).self) { group in
            for (repository, read) in desired.reads {
                group.addTask {
                    guard let client = clients[repository] else { return (repository, .success([:])) }
                    do {
                        return (repository, .success(try await client.statuses(of: read.shas.sorted(), contexts: read.contexts)))
                    } catch {
                        return (repository, .failure(error))
                    }
                }
            }
            var all: [(String, Result<[String: [CommitStatus]], Error>)] = []
            for await read in group { all.append(read) }
            return all
        }
        for (repository, result) in reads {
            switch result {
            case .success(let statuses): existing[repository] = statuses
            case .failure(let error):
                // Nothing is written on a guess: without the current statuses, this repository is left alone.
                problems.append("\(error)")
                desired.statuses.removeAll { $0.target.repository == repository }
            }
        }
        let plan = Planner.compare(desired, existing: existing, policy: settings.policy)
        var outcome = Outcome(plan: plan, problems: problems, suspended: suspended)
        guard !dryRun, !plan.writes.isEmpty else { return outcome }

        let progress = Progress(total: plan.writes.count, json: settings.json)
        outcome.results = await Executor.apply(plan, forges: clients, missingForge: { repository in
            ForgeError(.configuration, repository: repository, message: "no forge client")
        }, progress: { progress.update($0) })
        return outcome
    }

    /// The git URL of a Kustomization's source, or why it has none.
    static func source(of entry: FluxInventory.Entry) -> (url: String?, unsupported: String?) {
        let ref = entry.kustomization.spec.sourceRef
        switch ref.kind {
        case "GitRepository":
            guard let git = entry.gitRepository else { return (nil, "GitRepository \(ref.name) was not found") }
            return (git.spec.url, nil)
        case "OCIRepository":
            guard let oci = entry.ociRepository else { return (nil, "OCIRepository \(ref.name) was not found") }
            guard let origin = oci.originSource else {
                return (nil, "OCIRepository \(ref.name) has no org.opencontainers.image.source annotation naming its git repository")
            }
            return (origin, nil)
        default:
            return (nil, "\(ref.kind) sources have no git commits")
        }
    }

    /// A local checkout given by `--repo`/`repositories`, else a mirror fetched into the cache
    /// with the GitRepository's secretRef credentials.
    private func openRepository(url: String, secret: (namespace: String, name: String)?, api: FluxAPI) async throws -> Repository {
        let key = RepositoryAddress.key(url)
        if let path = settings.repositories.first(where: { RepositoryAddress.key($0.key) == key })?.value {
            return try Repository.open(at: path)
        }
        var credentials = GitCredentials.none
        if let secret {
            let object = try await api.get(Kube.Secret.self, .secrets, namespace: secret.namespace, name: secret.name)
            credentials = try gitCredentials(object, url: url)
        }
        let (repository, fetched) = try Mirror.sync(url: url, cacheDirectory: settings.cacheDirectory, credentials: credentials)
        log.info("\(fetched.cloned ? "cloned" : "fetched") \(url)", ["objects": String(fetched.receivedObjects)])
        return repository
    }

    /// Git credentials from a GitRepository Secret: `username`/`password`, `bearerToken`, or
    /// `identity` (+ `known_hosts`), the keys source-controller reads.
    private func gitCredentials(_ secret: Kube.Secret, url: String) throws -> GitCredentials {
        if let token = secret.string("bearerToken") { return .bearerToken(token) }
        if let user = secret.string("username"), let password = secret.string("password") {
            return .userPassword(username: user, password: password)
        }
        if let identity = secret.value("identity") {
            let keys = URL(fileURLWithPath: settings.cacheDirectory).appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let file = keys.appendingPathComponent(Mirror.directory(for: url, in: "").split(separator: "/").last.map(String.init) ?? "key")
            try Data(identity).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            return .sshKey(username: "git", privateKeyPath: file.path, passphrase: secret.string("password"),
                           knownHosts: secret.string("known_hosts"))
        }
        return .none
    }
}

/// Why a run stopped before planning.
enum RunFailure: Error, CustomStringConvertible {
    /// Bad usage or configuration: nothing was written (exit 2).
    case configuration(String)
    /// An input the run depends on could not be used (exit 1).
    case unusable(String)

    var description: String {
        switch self {
        case .configuration(let text), .unusable(let text): return text
        }
    }
}
