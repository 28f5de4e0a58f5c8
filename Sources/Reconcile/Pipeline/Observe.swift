import Forges
import Foundation
import Kube
import Logging
import RepositoryAddress

/// What the cluster says, as plain values: one unit per selected Kustomization (its observations,
/// repository, path and status targets), the git repositories to read, and the forge endpoints
/// (repository + credential) to read and write statuses with.
public struct Observed: Sendable {
    /// One per selected Kustomization, ordered by namespace and name.
    public var units: [PlanUnit] = []
    /// Repository key (`RepositoryAddress.key`) → where to fetch it and with which Secret.
    public var sources: [String: GitSource] = [:]
    /// Forge repository (`ForgeRepository.description`) → endpoint.
    public var forges: [String: ForgeEndpoint] = [:]
    /// What could not be used.
    public var problems: [Problem] = []
    /// Suspended Kustomizations (observed anyway).
    public var suspended: Set<KustomizationID> = []
}

/// Stage 1, observe: cluster → observations and routes (SPEC section 4; where statuses go, SPEC
/// sections 5 and 7).
public enum Observe {
    /// Reads the cluster and turns every selected Kustomization into a plan unit. Throws only when
    /// the Kustomizations themselves cannot be listed; everything else becomes a `Problem`.
    public static func run(_ cluster: any ClusterReader, settings: PipelineSettings, forgeOptions: ForgeOptions,
                           now: Date, logger: Logger) async throws -> Observed {
        let inventory = try await cluster.inventory(namespace: settings.namespace, selector: settings.selector)
        var observed = Observed()
        observed.problems = inventory.problems.map { Problem("", $0, stage: .observe) }
        let entries = inventory.entries.filter { settings.names.isEmpty || settings.names.contains($0.kustomization.metadata.name) }
        logger.info("observed \(entries.count) Kustomizations", metadata: ["cluster": "\(settings.clusterName)"])
        var routes = Routes(settings: settings, cluster: cluster, options: forgeOptions)
        for entry in entries {
            let k = entry.kustomization
            let id = KustomizationID(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            if k.isSuspended { observed.suspended.insert(id) }
            let source = gitURL(of: entry)
            var ociOrigin: (artifact: String, origin: String)?
            if let oci = entry.ociRepository, let artifact = oci.status?.artifact?.revision, let origin = oci.originRevision {
                ociOrigin = (artifact, origin)
            }
            let (targets, whyNone) = await routes.route(entry, inventory: inventory, sourceURL: source.url)
            let repository = source.url.map(RepositoryAddress.key)
            if let repository, let url = source.url, observed.sources[repository]?.secretName == nil {
                let secret = entry.gitRepository.flatMap { g in g.spec.secretRef.map { (g.metadata.namespace ?? "", $0.name) } }
                observed.sources[repository] = GitSource(url: url, secretNamespace: secret?.0, secretName: secret?.1)
            }
            observed.units.append(PlanUnit(
                kustomization: id, repository: repository, unsupported: source.unsupported, path: k.spec.path ?? ".",
                targets: targets, observations: observations(of: k, ociOrigin: ociOrigin, now: now), suspended: k.isSuspended,
                noTarget: whyNone))
        }
        observed.problems += routes.problems
        observed.forges = routes.endpoints
        return observed
    }

    /// The git URL of a Kustomization's source, or why it has none.
    static func gitURL(of entry: FluxInventory.Entry) -> (url: String?, unsupported: String?) {
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

    /// Ready=False reasons that mean the attempted revision failed.
    public static let failureReasons: Set<String> = [
        "ArtifactFailed", "BuildFailed", "HealthCheckFailed", "PruneFailed", "ReconciliationFailed",
    ]

    /// The observations one Kustomization's status gives, at `now`.
    ///
    /// - Ready=True, ReconciliationSucceeded: succeeded at the applied revision (its origin
    ///   revision when the source is OCI), true now.
    /// - Ready=False with a failure reason: failed at the attempted revision, now, with reason and
    ///   message.
    /// - the applied revision is always a past success (apply and health checks passed), time
    ///   unknown.
    /// - every history snapshot: its outcome at its last reconcile time.
    /// Progressing, DependencyNotReady and HealthCheckCanceled add nothing.
    ///
    /// `ociOrigin` is the OCI source's current (artifact revision, origin revision), used to name
    /// the commit of a failed attempt at that artifact.
    public static func observations(of kustomization: Kustomization, ociOrigin: (artifact: String, origin: String)? = nil,
                                    now: Date) -> [Observation] {
        let id = KustomizationID(namespace: kustomization.metadata.namespace ?? "", name: kustomization.metadata.name)
        let status = kustomization.status
        var result: [Observation] = []
        let applied = status?.lastAppliedOriginRevision.nonEmpty ?? status?.lastAppliedRevision.nonEmpty
        if let ready = kustomization.readyCondition {
            let reason = ready.reason ?? ""
            if ready.status == "True", reason == "ReconciliationSucceeded", let applied {
                result.append(Observation(kustomization: id, revision: applied, outcome: .succeeded, reason: reason,
                                          message: ready.message ?? "", time: now, origin: .status, isCurrent: true))
            } else if ready.status == "False", failureReasons.contains(reason), var attempted = status?.lastAttemptedRevision.nonEmpty {
                if let ociOrigin, ociOrigin.artifact == attempted { attempted = ociOrigin.origin }
                result.append(Observation(kustomization: id, revision: attempted, outcome: .failed, reason: reason,
                                          message: ready.message ?? "", time: now, origin: .status, isCurrent: true))
            }
        }
        if let applied {
            result.append(Observation(kustomization: id, revision: applied, outcome: .succeeded,
                                      reason: "ReconciliationSucceeded", time: nil, origin: .status))
        }
        for snapshot in status?.history ?? [] {
            guard let revision = snapshot.metadata?["originRevision"].nonEmpty ?? snapshot.metadata?["revision"].nonEmpty else { continue }
            let succeeded = snapshot.lastReconciledStatus == "ReconciliationSucceeded"
            result.append(Observation(kustomization: id, revision: revision, outcome: succeeded ? .succeeded : .failed,
                                      reason: snapshot.lastReconciledStatus, time: snapshot.lastReconciled,
                                      origin: .history))
        }
        return result
    }
}

extension Optional where Wrapped == String {
    /// The string, or nil when it is absent or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
