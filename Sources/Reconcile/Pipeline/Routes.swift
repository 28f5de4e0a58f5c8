import Forges
import Foundation
import Kube
import RepositoryAddress

/// Part of the observe stage: where each Kustomization's statuses go (forge repository, context,
/// key), and with which credential: the Flux Provider's Secret, else configuration.
struct Routes {
    let settings: PipelineSettings
    let cluster: any ClusterReader
    let options: ForgeOptions

    /// Forge repository → endpoint, one per repository, shared by every Kustomization writing there.
    private(set) var endpoints: [String: ForgeEndpoint] = [:]
    private(set) var problems: [Problem] = []
    private var secrets: [String: Kube.Secret?] = [:]
    private var secretFailures: [String: String] = [:]
    private var noTargetReasons: [String] = []

    init(settings: PipelineSettings, cluster: any ClusterReader, options: ForgeOptions) {
        self.settings = settings
        self.cluster = cluster
        self.options = options
    }

    /// The status targets of one Kustomization. Problems are recorded, not thrown.
    /// The status targets of one Kustomization, and when there are none, why (the first problem
    /// met on its way to a forge). Problems are recorded, not thrown.
    mutating func route(_ entry: FluxInventory.Entry, inventory: FluxInventory, sourceURL: String?) async -> (targets: [StatusTarget], whyNone: String?) {
        let before = problems.count
        noTargetReasons = []
        let targets = await targets(for: entry, inventory: inventory, sourceURL: sourceURL)
        guard targets.isEmpty else { return (targets, nil) }
        return ([], noTargetReasons.first ?? problems.dropFirst(before).first?.message)
    }

    private mutating func targets(for entry: FluxInventory.Entry, inventory: FluxInventory, sourceURL: String?) async -> [StatusTarget] {
        let k = entry.kustomization
        let subject = "Kustomization \(k.metadata.qualifiedName)"
        var result: [StatusTarget] = []
        for reporter in entry.reporters {
            guard let context = reporter.contextID.id else {
                // A known limit (CEL is not evaluated), not a failure: say it, but do not fail every run.
                problems.append(Problem(subject, "Provider \(reporter.provider): commit status id \(reporter.contextID); its statuses are not written",
                                        severity: .note, stage: .observe))
                continue
            }
            guard let address = reporter.address ?? sourceURL else {
                problems.append(Problem(subject, "Provider \(reporter.provider) has no spec.address and the source has no URL; set the Provider's address",
                                        stage: .observe))
                continue
            }
            let provider = inventory.provider(named: reporter.provider)
            // A Provider's statuses are written with the Provider's own Secret, as NC does; never
            // with a token from configuration, which may belong to someone else.
            guard let credential = await providerCredential(provider) else {
                if let provider, let ref = provider.spec.secretRef, let failure = secretFailures["\(provider.metadata.namespace ?? "")/\(ref.name)"] {
                    // Said once per Secret in `problems`; each Kustomization names it as its reason.
                    noTargetReasons.append("Provider \(reporter.provider): \(failure)")
                } else if provider?.spec.secretRef == nil {
                    problems.append(Problem(subject, "Provider \(reporter.provider) has no spec.secretRef; give it a Secret with a `token` key, as notification-controller needs",
                                            stage: .observe))
                }
                continue
            }
            if let repository = endpoint(address: address, kind: ForgeKind(providerType: reporter.providerType), credential: credential, subject: subject) {
                result.append(StatusTarget(repository: repository.description, context: context, forge: repository.kind,
                                           failuresOnly: reporter.eventSeverity == "error"))
            }
        }
        if entry.reporters.isEmpty, !inventory.routingKnown {
            problems.append(Problem(subject, "not written: Flux Providers or Alerts could not be read, so which Provider (and context) reports for it is unknown",
                                    stage: .observe))
            return result
        }
        if entry.reporters.isEmpty, let sourceURL {
            let context = settings.context(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            if let repository = endpoint(address: sourceURL, kind: nil, credential: configCredential(for: sourceURL), subject: subject) {
                result.append(StatusTarget(repository: repository.description, context: context, forge: repository.kind))
            }
        }
        return result
    }

    /// The forge repository an address names, registering its endpoint on first use.
    private mutating func endpoint(address: String, kind: ForgeKind?, credential: ForgeCredential?, subject: String) -> ForgeRepository? {
        let hosts = Dictionary(settings.forges.compactMap { f in f.kind.map { (f.host.lowercased(), $0) } }, uniquingKeysWith: { a, _ in a })
        var repository: ForgeRepository
        do { repository = try ForgeRepository.parse(address, kind: kind, hosts: hosts) } catch {
            problems.append(Problem(subject, error, stage: .observe))
            return nil
        }
        let configured = settings.forge(host: repository.host)
        if let base = configured?.apiBaseURL { repository = repository.withAPIBaseURL(base) }
        if endpoints[repository.description] != nil { return repository }
        guard let credential else {
            problems.append(Problem(subject, "no credential for \(repository.description): set tokenFile for host \(repository.host) in the config, or FLUXSTAMP_FORGE_TOKEN for a well-known or configured forge host",
                                    stage: .observe))
            return nil
        }
        var options = self.options
        if let perMinute = settings.writesPerMinute ?? configured?.writesPerMinute {
            // A configured rate replaces the per-minute default; the forge's hourly cap stays.
            var perHour: Int?
            if case .perMinute(_, _, let hourly) = WritePacing.defaultPacing(for: repository.kind) { perHour = hourly }
            options.writePacing = perMinute <= 0 ? .unlimited : .perMinute(perMinute, burst: max(1, Int(perMinute / 6)), perHour: perHour)
        }
        endpoints[repository.description] = ForgeEndpoint(repository: repository, credential: credential, options: options)
        return repository
    }

    /// A credential from the Provider's secretRef: `token`, `username`+`password`, or GitHub App keys.
    private mutating func providerCredential(_ provider: Provider?) async -> ForgeCredential? {
        guard let provider, let ref = provider.spec.secretRef, let namespace = provider.metadata.namespace else { return nil }
        let key = "\(namespace)/\(ref.name)"
        if secrets[key] == nil {
            do {
                secrets[key] = .some(try await cluster.secret(namespace: namespace, name: ref.name))
            } catch {
                problems.append(Problem("Provider \(provider.metadata.qualifiedName)", "Secret \(key): \(error)", stage: .observe))
                secretFailures[key] = "its Secret \(key) could not be read: \(error)"
                secrets[key] = .some(nil)
            }
        }
        guard let secret = secrets[key] ?? nil else { return nil }
        if let appID = secret.string("githubAppID"), let pem = secret.string("githubAppPrivateKey") {
            return .gitHubApp(GitHubAppCredential(appID: appID, installationID: secret.string("githubAppInstallationID"),
                                                  installationOwner: secret.string("githubAppInstallationOwner"),
                                                  privateKeyPEM: SecretValue(pem), baseURL: secret.string("githubAppBaseURL")))
        }
        if let token = secret.string("token") { return .token(SecretValue(token.trimmingCharacters(in: .whitespacesAndNewlines))) }
        if let user = secret.string("username"), let password = secret.string("password") {
            return .basic(username: user, password: SecretValue(password))
        }
        problems.append(Problem("Provider \(provider.metadata.qualifiedName)",
                                "Secret \(key) has none of the keys token, username+password, githubAppID+githubAppPrivateKey", stage: .observe))
        return nil
    }

    /// A token from the config's `tokenFile` for the address's host, or `FLUXSTAMP_FORGE_TOKEN`
    /// for a host that is configured or a well-known forge: a token is never sent to a host that
    /// only a (possibly tenant-controlled) source URL names.
    private func configCredential(for address: String) -> ForgeCredential? {
        let configured = RepositoryAddress(address).flatMap { settings.forge(host: $0.host) }
        if let file = configured?.tokenFile, let data = FileManager.default.contents(atPath: file) {
            return .token(SecretValue(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let wellKnown = (try? ForgeRepository.parse(address)) != nil // parses without configuration only for well-known hosts
        if configured != nil || wellKnown, let token = settings.environmentToken, !token.isEmpty {
            return .token(SecretValue(token))
        }
        return nil
    }
}
