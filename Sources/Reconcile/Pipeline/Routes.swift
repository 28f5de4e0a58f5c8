import CEL
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

    /// Endpoint name (`StatusTarget.endpoint`) → endpoint, one per repository (and Azure DevOps
    /// genre), shared by every Kustomization writing there.
    private(set) var endpoints: [String: ForgeEndpoint] = [:]
    private(set) var problems: [Problem] = []
    private var secrets: [String: Secret?] = [:]
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
    mutating func route(
        _ entry: FluxInventory.Entry, inventory: FluxInventory, sourceURL: String?
    ) async -> (targets: [StatusTarget], whyNone: String?) {
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
            var expression: ContextExpression?
            if case .customExpression(let source) = reporter.contextID,
                let provider = reporter.providerObject ?? inventory.provider(named: reporter.provider)
            {
                do { _ = try CELProgram(parsing: source) } catch {
                    let why = "spec.commitStatusExpr does not compile (notification-controller fails on it too): \(error)"
                    problems.append(Problem(subject, "Provider \(reporter.provider): \(why)", stage: .observe))
                    continue
                }
                expression = Self.contextExpression(source, provider: provider, reporter: reporter, kustomization: k)
            }
            guard let context = reporter.contextID.id ?? expression.map({ _ in "commitStatusExpr:\(reporter.provider)" }) else {
                // A known limit (a Provider without a uid), not a failure: say it, but do not fail every run.
                problems.append(
                    Problem(
                        subject, "Provider \(reporter.provider): commit status id \(reporter.contextID); its statuses are not written",
                        severity: .note, stage: .observe))
                continue
            }
            let alertNamespace = reporter.alert.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            if settings.noCrossNamespaceRefs, alertNamespace != (k.metadata.namespace ?? "") {
                // NC with --no-cross-namespace-refs discards the event ("access denied to cross-namespace sources").
                let why =
                    "is in another namespace and cross-namespace references are denied (--no-cross-namespace-refs): "
                    + "notification-controller posts nothing through it, nor does fluxstamp"
                problems.append(Problem(subject, "Alert \(reporter.alert) \(why)", severity: .note, stage: .observe))
                continue
            }
            let provider = inventory.provider(named: reporter.provider)
            // A Provider's statuses are written with the Provider's own Secret, as NC does; never
            // with a token from configuration, which may belong to someone else.
            let secret = await providerSecret(provider)
            guard let credential = secret.flatMap({ providerCredential($0, provider: provider!, type: reporter.providerType) }) else {
                if let provider, let ref = provider.spec.secretRef,
                    let failure = secretFailures["\(provider.metadata.namespace ?? "")/\(ref.name)"]
                {
                    // Said once per Secret in `problems`; each Kustomization names it as its reason.
                    noTargetReasons.append("Provider \(reporter.provider): \(failure)")
                } else if provider?.spec.secretRef == nil {
                    problems.append(
                        Problem(
                            subject,
                            "Provider \(reporter.provider) has no spec.secretRef; give it "
                                + "a Secret with a `token` key, as notification-controller needs",
                            stage: .observe))
                }
                continue
            }
            // NC: the Secret's `address` key overrides spec.address (trimmed), so statuses go where NC sends them.
            let secretAddress = secret?.string("address")?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let address = secretAddress.flatMap({ $0.isEmpty ? nil : $0 }) ?? reporter.address ?? sourceURL else {
                problems.append(
                    Problem(
                        subject, "Provider \(reporter.provider) has no spec.address and the source has no URL; set the Provider's address",
                        stage: .observe))
                continue
            }
            let kind = ForgeKind(providerType: reporter.providerType)
            var genre: String?
            if kind == .azuredevops {
                genre = Self.azureGenre(summary: reporter.summary ?? k.metadata.annotations?[Kustomization.summaryAnnotation])
            }
            let source = secret.map { Self.credentialSource($0, type: reporter.providerType) }
            if let repository = endpoint(
                address: address, kind: kind, genre: genre, credential: credential, source: source, subject: subject
            ) {
                let route = AlertRoute(
                    alert: reporter.alert, failuresOnly: reporter.failuresOnly,
                    inclusionList: reporter.inclusionList, exclusionList: reporter.exclusionList)
                var target = StatusTarget(
                    repository: repository.description, context: context, forge: repository.kind, genre: genre,
                    routes: [route], contextExpression: expression)
                target.providerAddress = address
                // Several Alerts on one Provider post into one context: one target, every Alert's route.
                if let i = result.firstIndex(where: { $0.repository == target.repository && $0.key == target.key }) {
                    result[i] = result[i].merged(with: target)
                } else {
                    result.append(target)
                }
            }
        }
        if entry.reporters.isEmpty, !inventory.routingKnown {
            problems.append(
                Problem(
                    subject,
                    "not written: Flux Providers or Alerts could not be read, so which Provider (and context) reports for it is unknown",
                    stage: .observe))
            return result
        }
        if entry.reporters.isEmpty, let sourceURL {
            let context = settings.context(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            let (credential, source) = (configCredential(for: sourceURL), configCredentialSource(for: sourceURL))
            if let repository = endpoint(address: sourceURL, kind: nil, credential: credential, source: source, subject: subject) {
                result.append(StatusTarget(repository: repository.description, context: context, forge: repository.kind))
            }
        }
        return result
    }

    /// The forge repository an address names, registering its endpoint on first use: one per
    /// repository and Azure DevOps `genre` (`StatusTarget.endpoint(repository:genre:)`), so statuses
    /// under NC's `fluxcd:<summary>` are read and corrected there, never doubled under `fluxcd`.
    private mutating func endpoint(
        address: String, kind: ForgeKind?, genre: String? = nil, credential: ForgeCredential?, source: String? = nil,
        subject: String
    ) -> ForgeRepository? {
        let hosts = Dictionary(
            settings.forges.compactMap { f in f.kind.map { (f.host.lowercased(), $0) } }, uniquingKeysWith: { a, _ in a })
        var repository: ForgeRepository
        do { repository = try ForgeRepository.parse(address, kind: kind, hosts: hosts) } catch {
            problems.append(Problem(subject, error, stage: .observe))
            return nil
        }
        let configured = settings.forge(host: repository.host)
        if let base = configured?.apiBaseURL { repository = repository.withAPIBaseURL(base) }
        let name = StatusTarget.endpoint(repository: repository.description, genre: genre)
        if endpoints[name] != nil { return repository }
        guard let credential else {
            problems.append(
                Problem(
                    subject,
                    "no credential for \(repository.description): set tokenFile for host \(repository.host) "
                        + "in the config, or FLUXSTAMP_FORGE_TOKEN for a well-known or configured forge host",
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
        endpoints[name] = ForgeEndpoint(
            repository: repository, credential: credential, options: options, genre: genre, credentialSource: source)
        return repository
    }

    /// The Provider's `secretRef` Secret, read once per run; nil (with the failure recorded) when
    /// it cannot be read or there is none.
    private mutating func providerSecret(_ provider: Provider?) async -> Secret? {
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
        return secrets[key] ?? nil
    }

    /// A credential from the Provider's Secret, in NC's order: `token` first; a GitHub App only when
    /// there is no token; GitLab takes `password` as the token; else `username` + `password`.
    private mutating func providerCredential(_ secret: Secret, provider: Provider, type: String) -> ForgeCredential? {
        if let token = secret.string("token")?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            return .token(SecretValue(token))
        }
        if let appID = secret.string("githubAppID"), let pem = secret.string("githubAppPrivateKey") {
            return .gitHubApp(
                GitHubAppCredential(
                    appID: appID, installationID: secret.string("githubAppInstallationID"),
                    installationOwner: secret.string("githubAppInstallationOwner"),
                    privateKeyPEM: SecretValue(pem), baseURL: secret.string("githubAppBaseURL")))
        }
        if ForgeKind(providerType: type) == .gitlab, let password = secret.string("password"), !password.isEmpty {
            return .token(SecretValue(password))
        }
        if let user = secret.string("username"), let password = secret.string("password") {
            return .basic(username: user, password: SecretValue(password))
        }
        problems.append(
            Problem(
                "Provider \(provider.metadata.qualifiedName)",
                "Secret \(secret.metadata.qualifiedName) has none of the keys token, username+password, "
                    + "githubAppID+githubAppPrivateKey", stage: .observe))
        return nil
    }

    /// The `event`, `alert` and `provider` objects NC evaluates a `commitStatusExpr` over, as far
    /// as fluxstamp reads them: fields it does not read are unknown, never assumed absent.
    static func contextExpression(
        _ source: String, provider: Provider, reporter: CommitStatusReporter,
        kustomization k: Kustomization
    ) -> ContextExpression {
        func object(_ pairs: [(String, CELValue?)]) -> CELValue {
            .map(Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (CELMapKey.string(key), $0) } }))
        }
        func strings(_ dictionary: [String: String]?) -> CELValue? {
            guard let dictionary, !dictionary.isEmpty else { return nil }  // omitempty
            return object(dictionary.map { ($0.key, CELValue.string($0.value)) })
        }
        func meta(_ m: ObjectMeta) -> CELValue {
            object([
                ("name", .string(m.name)), ("namespace", m.namespace.map(CELValue.string)), ("uid", m.uid.map(CELValue.string)),
                ("labels", strings(m.labels)), ("annotations", strings(m.annotations)),
            ])
        }
        // Server-set metadata and the kind (empty on objects controller-runtime decodes) are not known.
        let unread: [[String]] =
            [["apiVersion"], ["kind"], ["status"]]
            + [
                "resourceVersion", "generation", "creationTimestamp",
                "managedFields", "finalizers", "ownerReferences", "deletionTimestamp",
            ].map { ["metadata", $0] }
        let spec = provider.spec
        let providerValue = object([
            ("metadata", meta(provider.metadata)),
            (
                "spec",
                object([
                    ("type", .string(spec.type)), ("address", spec.address.map(CELValue.string)),
                    ("secretRef", spec.secretRef.map { object([("name", .string($0.name))]) }),
                    ("suspend", spec.suspend.map(CELValue.bool)), ("commitStatusExpr", .string(source)),
                    ("certSecretRef", spec.certSecretRef.map { object([("name", .string($0.name))]) }),
                    ("proxySecretRef", spec.proxySecretRef.map { object([("name", .string($0.name))]) }),
                    ("proxy", spec.proxy.map(CELValue.string)),
                    ("serviceAccountName", spec.serviceAccountName.map(CELValue.string)),
                ])
            ),
        ])
        let providerUnknowns: [[String]] = unread + ["channel", "username", "interval", "timeout"].map { ["spec", $0] }
        var alertValue: CELValue
        var alertUnknowns: [[String]] = unread
        var metadata: [String: String]?
        if let alert = reporter.alertObject {
            let a = alert.spec
            alertValue = object([
                ("metadata", meta(alert.metadata)),
                (
                    "spec",
                    object([
                        ("providerRef", object([("name", .string(a.providerRef.name))])),
                        (
                            "eventSources",
                            .list(
                                a.eventSources.map { source in
                                    object([
                                        ("kind", .string(source.kind)), ("name", .string(source.name)),
                                        ("namespace", source.namespace.map(CELValue.string)), ("matchLabels", strings(source.matchLabels)),
                                    ])
                                })
                        ),
                        ("eventSeverity", a.eventSeverity.map(CELValue.string)), ("suspend", a.suspend.map(CELValue.bool)),
                        ("summary", a.summary.flatMap { $0.isEmpty ? nil : CELValue.string($0) }),
                        ("eventMetadata", strings(a.eventMetadata)),
                        ("inclusionList", a.inclusionList.flatMap { $0.isEmpty ? nil : CELValue.list($0.map(CELValue.string)) }),
                        ("exclusionList", a.exclusionList.flatMap { $0.isEmpty ? nil : CELValue.list($0.map(CELValue.string)) }),
                    ])
                ),
            ])
            metadata = ContextExpression.combinedMetadata(
                objectAnnotations: k.metadata.annotations ?? [:],
                alertEventMetadata: a.eventMetadata ?? [:], alertSummary: a.summary)
        } else {
            // Without the Alert object: beyond its name, provider and severity it is unknown, and so
            // is the event metadata its eventMetadata and summary feed.
            let parts = reporter.alert.split(separator: "/", maxSplits: 1).map(String.init)
            alertValue = object([
                ("metadata", object([("namespace", parts.first.map(CELValue.string)), ("name", parts.last.map(CELValue.string))])),
                (
                    "spec",
                    object([
                        ("providerRef", object([("name", .string(provider.metadata.name))])),
                        ("eventSeverity", .string(reporter.eventSeverity)),
                    ])
                ),
            ])
            alertUnknowns +=
                [["metadata", "uid"], ["metadata", "labels"], ["metadata", "annotations"]]
                + ["eventSources", "eventMetadata", "summary", "inclusionList", "exclusionList", "suspend"].map { ["spec", $0] }
        }
        let involved = object([
            ("kind", "Kustomization"), ("namespace", k.metadata.namespace.map(CELValue.string)),
            ("name", .string(k.metadata.name)), ("uid", k.metadata.uid.map(CELValue.string)),
            ("apiVersion", "kustomize.toolkit.fluxcd.io/v1"),
        ])
        return ContextExpression(
            source: source, provider: providerValue, providerUnknowns: providerUnknowns, alert: alertValue,
            alertUnknowns: alertUnknowns, involvedObject: involved, metadata: metadata)
    }

    /// NC's Azure DevOps genre (`commitStatusGenre`): `fluxcd:<summary>` when the event has a
    /// `summary` key, else `fluxcd`.
    static func azureGenre(summary: String?) -> String {
        summary.map { "fluxcd:\($0)" } ?? "fluxcd"
    }

    /// Which Secret and keys `providerCredential` takes the credential from (the same order), for
    /// messages: a 401 names them, never the value.
    static func credentialSource(_ secret: Secret, type: String) -> String {
        let keys: String
        if let token = secret.string("token")?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            keys = "key `token`"
        } else if secret.string("githubAppID") != nil, secret.string("githubAppPrivateKey") != nil {
            keys = "GitHub App keys `githubAppID`, `githubAppPrivateKey`"
        } else if ForgeKind(providerType: type) == .gitlab, let password = secret.string("password"), !password.isEmpty {
            keys = "key `password`"
        } else {
            keys = "keys `username`, `password`"
        }
        return "Secret \(secret.metadata.qualifiedName), \(keys)"
    }

    /// Where `configCredential` finds the token, for messages.
    private func configCredentialSource(for address: String) -> String? {
        let configured = RepositoryAddress(address).flatMap { settings.forge(host: $0.host) }
        if let file = configured?.tokenFile, FileManager.default.fileExists(atPath: file) { return "tokenFile \(file)" }
        return settings.environmentToken == nil ? nil : "FLUXSTAMP_FORGE_TOKEN"
    }

    /// A token from the config's `tokenFile` for the address's host, or `FLUXSTAMP_FORGE_TOKEN`
    /// for a host that is configured or a well-known forge: a token is never sent to a host that
    /// only a (possibly tenant-controlled) source URL names.
    private func configCredential(for address: String) -> ForgeCredential? {
        let configured = RepositoryAddress(address).flatMap { settings.forge(host: $0.host) }
        if let file = configured?.tokenFile, let data = FileManager.default.contents(atPath: file) {
            return .token(SecretValue(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let wellKnown = (try? ForgeRepository.parse(address)) != nil  // parses without configuration only for well-known hosts
        if configured != nil || wellKnown, let token = settings.environmentToken, !token.isEmpty {
            return .token(SecretValue(token))
        }
        return nil
    }
}
