/// What fluxstamp sees in a cluster: the selected Kustomizations with their sources and the
/// Providers that report commit statuses for them, plus one problem line per unusable input.
public struct FluxInventory: Sendable {
    /// One Kustomization and what belongs to it.
    public struct Entry: Sendable {
        /// The Kustomization.
        public var kustomization: Kustomization
        /// Its GitRepository, when the source is one and could be read.
        public var gitRepository: GitRepository?
        /// Its OCIRepository, when the source is one and could be read.
        public var ociRepository: OCIRepository?
        /// Routes to commit-status Providers, one per (Alert, Provider).
        public var reporters: [CommitStatusReporter]
        /// Its Kubernetes events, oldest first (read only with `read(…, events: true)`).
        public var events: [KustomizationEvent] = []

        /// The source URL (the OCI origin's git URL when known).
        public var sourceURL: String? { gitRepository?.spec.url ?? ociRepository.map { $0.originSource ?? $0.spec.url } }
        /// The tracked ref, e.g. `branch main`.
        public var sourceRef: String? { gitRepository?.spec.ref?.summary ?? ociRepository?.spec.ref?.summary }
    }

    /// Entries ordered by namespace and name.
    public var entries: [Entry]
    /// One clear line per input that could not be used (the rest is still reported).
    public var problems: [KubeError]
    /// The Providers read (for their secretRef when posting statuses).
    public var providers: [Provider] = []
    /// Whether Providers and Alerts were both read. When not, which Provider reports for a
    /// Kustomization is unknown, and nothing may be written for it on a guess.
    public var routingKnown = true

    /// The Provider a reporter names (`namespace/name`).
    public func provider(named qualifiedName: String) -> Provider? {
        providers.first { $0.metadata.qualifiedName == qualifiedName }
    }

    /// Reads the inventory: Kustomizations in `namespace` (nil: all) matching `labelSelector`, and
    /// with `events: true` their Kubernetes events. Failing to read Kustomizations throws (a
    /// malformed selector before any request); failing to read sources, notification objects or
    /// events is recorded in `problems`. `crossNamespaceRefs: false` routes as NC does with
    /// `--no-cross-namespace-refs`.
    public static func read(
        _ api: FluxAPI, namespace: String?, labelSelector: String?, events: Bool = false,
        crossNamespaceRefs: Bool = true
    ) async throws -> FluxInventory {
        let listed = try await api.list(Kustomization.self, .kustomizations, namespace: namespace, labelSelector: labelSelector)
        var problems = listed.invalid
        let kustomizations = listed.items.sorted {
            ($0.metadata.namespace ?? "", $0.metadata.name) < ($1.metadata.namespace ?? "", $1.metadata.name)
        }

        // Sources, Providers and Alerts may live in other namespaces than the Kustomizations they
        // serve (cross-namespace sourceRef, an Alert in flux-system), so they are read cluster-wide;
        // with --namespace and only namespaced RBAC, the namespace is read instead.
        func readAll<T: KubeObject>(_ type: T.Type, _ resource: ResourceType, needed: Bool) async -> [T]? {
            guard needed else { return [] }
            do {
                let result: ListResult<T>
                do {
                    result = try await api.list(type, resource, namespace: nil)
                } catch KubeError.forbidden where namespace != nil {
                    result = try await api.list(type, resource, namespace: namespace)
                }
                problems += result.invalid
                return result.items
            } catch let error as KubeError {
                problems.append(error)
                return nil
            } catch {
                problems.append(.transport(server: "", reason: "\(error)", fix: "retry"))
                return nil
            }
        }
        let kinds = Set(kustomizations.map(\.spec.sourceRef.kind))
        let git = await readAll(GitRepository.self, .gitRepositories, needed: kinds.contains("GitRepository")) ?? []
        let oci = await readAll(OCIRepository.self, .ociRepositories, needed: kinds.contains("OCIRepository")) ?? []
        let readProviders = await readAll(Provider.self, .providers, needed: !kustomizations.isEmpty)
        let providers = readProviders ?? []
        let readAlerts = providers.isEmpty ? [] : await readAll(Alert.self, .alerts, needed: true)
        let alerts = readAlerts ?? []
        let routing = CommitStatusRouting(alerts: alerts, providers: providers, crossNamespaceRefs: crossNamespaceRefs)
        var readEvents: KustomizationEvents?
        if events, !kustomizations.isEmpty {
            let result = await api.kustomizationEvents(for: kustomizations, namespace: namespace)
            problems += result.problems
            readEvents = result
        }

        let entries = kustomizations.map { k in
            let ns = k.sourceNamespace
            let ref = k.spec.sourceRef
            return Entry(
                kustomization: k,
                gitRepository: ref.kind == "GitRepository"
                    ? git.first { $0.metadata.namespace == ns && $0.metadata.name == ref.name } : nil,
                ociRepository: ref.kind == "OCIRepository"
                    ? oci.first { $0.metadata.namespace == ns && $0.metadata.name == ref.name } : nil,
                reporters: routing.reporters(for: k),
                events: readEvents?.events(namespace: k.metadata.namespace ?? "", name: k.metadata.name) ?? [])
        }
        return FluxInventory(
            entries: entries, problems: problems, providers: providers,
            routingKnown: readProviders != nil && readAlerts != nil)
    }
}
