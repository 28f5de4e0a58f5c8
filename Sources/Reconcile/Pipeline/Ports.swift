import Forges
import Foundation
import GitHistory
import Kube
import Logging
import RepositoryAddress

// The three places where the pipeline does I/O, each behind a small protocol so the whole
// pipeline runs in-process in tests (emulated cluster, fixture repositories, emulated forges).

/// Reads the cluster: the Flux inventory and the Secrets it names.
public protocol ClusterReader: Sendable {
    /// The selected Kustomizations with their sources and commit-status routes, and with `events`
    /// their Kubernetes events.
    func inventory(namespace: String?, selector: String?, events: Bool) async throws -> FluxInventory
    /// One Secret (a Provider's or a GitRepository's credentials).
    func secret(namespace: String, name: String) async throws -> Secret
}

extension FluxAPI: ClusterReader {
    /// Reads the inventory with `FluxInventory.read`.
    public func inventory(namespace: String?, selector: String?, events: Bool) async throws -> FluxInventory {
        try await FluxInventory.read(self, namespace: namespace, labelSelector: selector, events: events)
    }

    /// Reads a Secret.
    public func secret(namespace: String, name: String) async throws -> Secret {
        try await get(Secret.self, .secrets, namespace: namespace, name: name)
    }
}

/// A git repository a run needs: its URL and the GitRepository Secret that holds its credentials.
public struct GitSource: Sendable, Hashable {
    /// The URL as the source names it.
    public var url: String
    /// The GitRepository's `secretRef` (namespace, name), if any.
    public var secretNamespace: String?
    /// The Secret's name.
    public var secretName: String?

    /// Creates a source.
    public init(url: String, secretNamespace: String? = nil, secretName: String? = nil) {
        self.url = url
        self.secretNamespace = secretNamespace
        self.secretName = secretName
    }
}

/// Opens the repositories a run needs.
public protocol RepositoryProvider: Sendable {
    /// A repository holding `source`'s commits, fetched or opened.
    func open(_ source: GitSource) async throws -> Repository
}

/// Local checkouts given by `--repo`/`repositories`, else bare mirrors fetched into the cache
/// directory with the GitRepository Secret's credentials (`username`/`password`, `bearerToken`,
/// or `identity` + `known_hosts`: the keys source-controller reads).
public struct MirrorRepositories: RepositoryProvider {
    /// URL → local path.
    public var localPaths: [String: String]
    /// Where mirrors and SSH keys live.
    public var cacheDirectory: String
    /// Where credentials are read.
    public var cluster: any ClusterReader
    /// The run's logger.
    public var logger: Logger

    /// Creates a provider.
    public init(localPaths: [String: String], cacheDirectory: String, cluster: any ClusterReader, logger: Logger) {
        self.localPaths = localPaths
        self.cacheDirectory = cacheDirectory
        self.cluster = cluster
        self.logger = logger
    }

    public func open(_ source: GitSource) async throws -> Repository {
        let key = RepositoryAddress.key(source.url)
        if let path = localPaths.first(where: { RepositoryAddress.key($0.key) == key })?.value {
            return try Repository.open(at: path)
        }
        var credentials = GitCredentials.none
        if let namespace = source.secretNamespace, let name = source.secretName {
            credentials = try gitCredentials(try await cluster.secret(namespace: namespace, name: name), url: source.url)
        }
        let started = Date()
        let (repository, fetched) = try Mirror.sync(url: source.url, cacheDirectory: cacheDirectory, credentials: credentials)
        logger.info(
            "\(fetched.cloned ? "cloned" : "fetched") \(source.url)",
            metadata: [
                "objects": .stringConvertible(fetched.receivedObjects),
                "seconds": .stringConvertible((Date().timeIntervalSince(started) * 100).rounded() / 100),
            ])
        return repository
    }

    private func gitCredentials(_ secret: Secret, url: String) throws -> GitCredentials {
        if let token = secret.string("bearerToken") { return .bearerToken(token) }
        if let user = secret.string("username"), let password = secret.string("password") {
            return .userPassword(username: user, password: password)
        }
        if let identity = secret.value("identity") {
            let keys = URL(fileURLWithPath: cacheDirectory).appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let name = Mirror.directory(for: url, in: "").split(separator: "/").last.map(String.init) ?? "key"
            let file = keys.appendingPathComponent(name)
            try Data(identity).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            return .sshKey(
                username: "git", privateKeyPath: file.path, passphrase: secret.string("password"),
                knownHosts: secret.string("known_hosts"))
        }
        return .none
    }
}

/// Where one forge repository's statuses go and with which credential.
public struct ForgeEndpoint: Sendable {
    /// The repository on the forge.
    public var repository: ForgeRepository
    /// Its credential (never printed).
    public var credential: ForgeCredential
    /// Transport options (pacing, retries, logger).
    public var options: ForgeOptions
    /// Where the credential came from, for messages (`Secret flux-system/github-token, key \`token\``,
    /// `tokenFile /etc/…`, `FLUXSTAMP_FORGE_TOKEN`); never the credential itself.
    public var credentialSource: String?
    /// Azure DevOps only: the genre its statuses are read and written under (`fluxcd`, or
    /// `fluxcd:<summary>` as NC posts under an event summary); nil elsewhere.
    public var genre: String?

    /// Creates an endpoint.
    public init(
        repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions, genre: String? = nil,
        credentialSource: String? = nil
    ) {
        self.repository = repository
        self.credential = credential
        self.options = options
        self.genre = repository.kind == .azuredevops ? genre : nil
        self.credentialSource = credentialSource
    }
}

/// Builds forge clients.
public protocol ForgeFactory: Sendable {
    /// A client for one endpoint.
    func client(for endpoint: ForgeEndpoint) throws -> any CommitStatusForge
}

/// The real clients (`ForgeClient.make`).
public struct LiveForges: ForgeFactory {
    /// Creates the factory.
    public init() {}

    public func client(for endpoint: ForgeEndpoint) throws -> any CommitStatusForge {
        if endpoint.repository.kind == .azuredevops, let genre = endpoint.genre {
            return try AzureDevOpsForge(
                repository: endpoint.repository, credential: endpoint.credential, options: endpoint.options, genre: genre)
        }
        return try ForgeClient.make(for: endpoint.repository, credential: endpoint.credential, options: endpoint.options)
    }
}
