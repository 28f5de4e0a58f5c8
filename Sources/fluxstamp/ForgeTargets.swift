import Foundation
import Forges
import GitHistory
import Kube
import Reconcile
import RepositoryAddress

/// Works out where each Kustomization's statuses go, and builds one forge client per forge
/// repository with its credentials (from the Flux Provider's Secret, else from configuration).
struct ForgeTargets {
    let settings: SyncSettings
    let api: FluxAPI
    let options: ForgeOptions

    private(set) var clients: [String: any CommitStatusForge] = [:]
    private(set) var problems: [String] = []
    /// Things the user should know that are not failures (they do not change the exit code).
    private(set) var notes: [String] = []
    private var secrets: [String: Kube.Secret?] = [:]

    init(settings: SyncSettings, api: FluxAPI, options: ForgeOptions) {
        self.settings = settings
        self.api = api
        self.options = options
    }

    /// The targets of one Kustomization, creating clients as needed. Problems are recorded, not thrown.
    mutating func targets(for entry: FluxInventory.Entry, inventory: FluxInventory, sourceURL: String?) async -> [StatusTarget] {
        let k = entry.kustomization
        let subject = "Kustomization \(k.metadata.qualifiedName)"
        var result: [StatusTarget] = []
        let reporters = entry.reporters
        for reporter in reporters {
            guard let context = reporter.contextID.id else {
                // A known limit (CEL is not evaluated), not a failure: say it, but do not fail every run.
                notes.append("\(subject): Provider \(reporter.provider): commit status id \(reporter.contextID); its statuses are not written")
                continue
            }
            guard let address = reporter.address ?? sourceURL else {
                problems.append("\(subject): Provider \(reporter.provider) has no spec.address and the source has no URL; set the Provider's address")
                continue
            }
            let provider = inventory.provider(named: reporter.provider)
            // A Provider's statuses are written with the Provider's own Secret, as NC does; never
            // with a token from configuration, which may belong to someone else.
            guard let credential = await providerCredential(provider, subject: subject) else {
                if provider?.spec.secretRef == nil {
                    problems.append("\(subject): Provider \(reporter.provider) has no spec.secretRef; give it a Secret with a `token` key, as notification-controller needs")
                }
                continue
            }
            if let client = client(address: address, kind: ForgeKind(providerType: reporter.providerType), credential: credential, subject: subject) {
                result.append(StatusTarget(repository: client.repository.description, context: context,
                                           key: client.statusKey(forContext: context),
                                           failuresOnly: reporter.eventSeverity == "error"))
            }
        }
        if reporters.isEmpty, !inventory.routingKnown {
            problems.append("\(subject): not written: Flux Providers or Alerts could not be read, so which Provider (and context) reports for it is unknown")
            return result
        }
        if reporters.isEmpty, let sourceURL {
            let context = settings.context(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            if let client = client(address: sourceURL, kind: nil, credential: configCredential(for: sourceURL), subject: subject) {
                result.append(StatusTarget(repository: client.repository.description, context: context,
                                           key: client.statusKey(forContext: context)))
            }
        }
        return result
    }

    private mutating func client(address: String, kind: ForgeKind?, credential: ForgeCredential?, subject: String) -> (any CommitStatusForge)? {
        let hosts = Dictionary(settings.forges.compactMap { f in f.type.flatMap(ForgeKind.init(providerType:)).map { (f.host.lowercased(), $0) } },
                               uniquingKeysWith: { a, _ in a })
        var repository: ForgeRepository
        do { repository = try ForgeRepository.parse(address, kind: kind, hosts: hosts) } catch {
            problems.append("\(subject): \(error)")
            return nil
        }
        let forgeConfig = settings.forges.first { $0.host.lowercased() == repository.host.lowercased() }
        if let base = forgeConfig?.apiBaseURL { repository = repository.withAPIBaseURL(base) }
        if let existing = clients[repository.description] { return existing }
        guard let credential else {
            problems.append("\(subject): no credential for \(repository.description): set tokenFile for host \(repository.host) in the config, or FLUXSTAMP_FORGE_TOKEN for a well-known or configured forge host")
            return nil
        }
        var options = self.options
        let perMinute = settings.writesPerMinute ?? forgeConfig?.writesPerMinute
        if let perMinute {
            // A configured rate replaces the per-minute default; the forge's hourly cap stays.
            var perHour: Int?
            if case .perMinute(_, _, let hourly) = WritePacing.defaultPacing(for: repository.kind) { perHour = hourly }
            options.writePacing = perMinute <= 0 ? .unlimited : .perMinute(perMinute, burst: max(1, Int(perMinute / 6)), perHour: perHour)
        }
        do {
            let client = try ForgeClient.make(for: repository, credential: credential, options: options)
            clients[repository.description] = client
            return client
        } catch {
            problems.append("\(subject): \(error)")
            return nil
        }
    }

    /// A credential from the Provider's secretRef: `token`, `username`+`password`, or GitHub App keys.
    private mutating func providerCredential(_ provider: Provider?, subject: String) async -> ForgeCredential? {
        guard let provider, let ref = provider.spec.secretRef, let namespace = provider.metadata.namespace else { return nil }
        let key = "\(namespace)/\(ref.name)"
        if secrets[key] == nil {
            do {
                secrets[key] = .some(try await api.get(Kube.Secret.self, .secrets, namespace: namespace, name: ref.name))
            } catch {
                problems.append("Provider \(provider.metadata.qualifiedName): Secret \(key): \(error)")
                secrets[key] = .some(nil)
            }
        }
        guard let secret = secrets[key] ?? nil else { return nil }
        if let appID = secret.string("githubAppID"), let pem = secret.string("githubAppPrivateKey") {
            return .gitHubApp(GitHubAppCredential(appID: appID, installationID: secret.string("githubAppInstallationID"),
                                                  installationOwner: secret.string("githubAppInstallationOwner"),
                                                  privateKeyPEM: Forges.Secret(pem), baseURL: secret.string("githubAppBaseURL")))
        }
        if let token = secret.string("token") { return .token(Forges.Secret(token.trimmingCharacters(in: .whitespacesAndNewlines))) }
        if let user = secret.string("username"), let password = secret.string("password") {
            return .basic(username: user, password: Forges.Secret(password))
        }
        problems.append("Provider \(provider.metadata.qualifiedName): Secret \(key) has none of the keys token, username+password, githubAppID+githubAppPrivateKey")
        return nil
    }

    /// A token from the config's `tokenFile` for the address's host, or `FLUXSTAMP_FORGE_TOKEN`
    /// for a host that is configured or a well-known forge: a token is never sent to a host that
    /// only a (possibly tenant-controlled) source URL names.
    private func configCredential(for address: String) -> ForgeCredential? {
        let host = RepositoryAddress(address)?.host ?? ""
        let configured = settings.forges.first { $0.host.lowercased() == host }
        if let file = configured?.tokenFile, let data = FileManager.default.contents(atPath: file) {
            return .token(Forges.Secret(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let wellKnown = (try? ForgeRepository.parse(address)) != nil // parses without configuration only for well-known hosts
        if configured != nil || wellKnown, let token = ProcessInfo.processInfo.environment["FLUXSTAMP_FORGE_TOKEN"], !token.isEmpty {
            return .token(Forges.Secret(token))
        }
        return nil
    }
}
