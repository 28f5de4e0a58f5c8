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
    /// Endpoint name (`StatusTarget.endpoint`: the forge repository, plus the genre for an Azure
    /// DevOps genre other than `fluxcd`) → endpoint.
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
    public static func run(
        _ cluster: any ClusterReader, settings: PipelineSettings, forgeOptions: ForgeOptions,
        now: Date, logger: Logger
    ) async throws -> Observed {
        let inventory = try await cluster.inventory(namespace: settings.namespace, selector: settings.selector, events: settings.readEvents)
        var observed = Observed()
        observed.problems = inventory.problems.map { Problem("", $0, stage: .observe) }
        let entries = inventory.entries.filter { settings.names.isEmpty || settings.names.contains($0.kustomization.metadata.name) }
            .filter { settings.shard?.owns(repository: gitURL(of: $0).url.map(RepositoryAddress.key)) ?? true }
        logger.info("observed \(entries.count) Kustomizations", metadata: ["cluster": "\(settings.clusterName)"])
        var routes = Routes(settings: settings, cluster: cluster, options: forgeOptions)
        for entry in entries {
            let k = entry.kustomization
            let id = KustomizationID(namespace: k.metadata.namespace ?? "", name: k.metadata.name)
            if k.isSuspended { observed.suspended.insert(id) }
            let source = gitURL(of: entry)
            var ociOrigin: (artifact: String, origin: String)?
            var sourceRevision = entry.gitRepository?.status?.artifact?.revision
            if let oci = entry.ociRepository, let artifact = oci.status?.artifact?.revision, let origin = oci.originRevision {
                ociOrigin = (artifact, origin)
                sourceRevision = origin
            }
            let (targets, whyNone) = await routes.route(entry, inventory: inventory, sourceURL: source.url)
            let repository = source.url.map(RepositoryAddress.key)
            if let repository, let url = source.url, observed.sources[repository]?.secretName == nil {
                let secret = entry.gitRepository.flatMap { g in g.spec.secretRef.map { (g.metadata.namespace ?? "", $0.name) } }
                observed.sources[repository] = GitSource(url: url, secretNamespace: secret?.0, secretName: secret?.1)
            }
            observed.units.append(
                PlanUnit(
                    kustomization: id, repository: repository, unsupported: source.unsupported, path: k.spec.path ?? ".",
                    targets: targets,
                    observations: observations(
                        of: k, ociOrigin: ociOrigin, sourceRevision: sourceRevision, interval: k.intervalText, now: now)
                        + observations(of: entry.events, kustomization: id),
                    suspended: k.isSuspended,
                    noTarget: whyNone, progressing: progress(of: k, ociOrigin: ociOrigin)))
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

    /// Ready=False reasons kustomize-controller sets after it has recorded the attempted revision
    /// (`reconcile`, after `obj.Status.LastAttemptedRevision = revision`): the failure belongs to
    /// `lastAttemptedRevision`, and the error event carries it.
    public static let attemptedFailureReasons: Set<String> = [
        "BuildFailed", "HealthCheckFailed", "PruneFailed", "ReconciliationFailed",
    ]

    /// Ready=False reasons kustomize-controller sets BEFORE it updates `lastAttemptedRevision`,
    /// which then still names an earlier (often the deployed, healthy) commit. When an error event
    /// is emitted for them it carries the source's current artifact revision
    /// (kustomize-controller v1.9 `Reconcile`/`reconcile`).
    public static let sourceFailureReasons: Set<String> = ["ArtifactFailed", "DirCreationFailed", "InvalidCELExpression"]

    /// Every failure reason fluxstamp records.
    public static var failureReasons: Set<String> { attemptedFailureReasons.union(sourceFailureReasons) }

    /// Whether kustomize-controller emits an error event (with the source revision) for a
    /// source-side failure: `ArtifactFailed` only when fetching or reading the artifact failed
    /// inside `reconcile` (a download error, `kustomization path not found`); a missing source or
    /// artifact ("Source artifact not found", "Source is not ready, artifact not found", "unable to
    /// get source", an unsupported kind) only requeues, silently. `InvalidCELExpression` carries a
    /// revision only for a `dependsOn` readyExpr ("failed to evaluate dependency"); invalid
    /// health-check expressions emit an event without one, which NC cannot post.
    static func emitsSourceRevisionEvent(reason: String, message: String) -> Bool {
        switch reason {
        case "DirCreationFailed": return true
        case "InvalidCELExpression": return message.contains("failed to evaluate dependency")
        case "ArtifactFailed":
            let silent = ["Source artifact not found", "Source is not ready", "unable to get source", "source `"]
            return !silent.contains { message.hasPrefix($0) }
        default: return false
        }
    }

    /// The observations kustomize-controller's events give: a success event marked as a commit
    /// status update, or a failure (Warning) event, each naming its revision; the event's message
    /// is known exactly (Alert filters apply to it). Other events (progress, dependency waits) add
    /// nothing, as notification-controller posts nothing for them.
    public static func observations(of events: [KustomizationEvent], kustomization id: KustomizationID) -> [Observation] {
        events.compactMap { event in
            guard let revision = event.originRevision ?? event.revision, event.isFailure || event.isCommitStatusUpdate else { return nil }
            return Observation(
                kustomization: id, revision: revision, outcome: event.isFailure ? .failed : .succeeded, reason: event.reason,
                message: event.message, time: event.time, origin: .event, reportedAt: event.time,
                eventMessage: .known(event.message))
        }
    }

    /// The observations one Kustomization's status gives, at `now`.
    ///
    /// - Ready=True, ReconciliationSucceeded: succeeded at the applied revision (its origin
    ///   revision when the source is OCI), true now.
    /// - Ready=False with a reason set after the attempt was recorded (`attemptedFailureReasons`):
    ///   failed at the attempted revision, now, with reason and message.
    /// - Ready=False with a reason set before it (`sourceFailureReasons`): failed at the source's
    ///   current revision (`sourceRevision`, the one the event carries), and only where
    ///   kustomize-controller emits an event; never at the applied commit, which is still deployed
    ///   and healthy: a green live commit is never painted red for a source-side failure.
    /// - the applied revision is always a past success (apply and health checks passed), time
    ///   unknown.
    /// - every history snapshot: its outcome at its last reconcile time.
    /// - with the `event.toolkit.fluxcd.io/commit` annotation, NC posts every event on that commit:
    ///   the current word moves there, and past facts (whose events may have carried another value)
    ///   are dropped.
    /// Progressing, DependencyNotReady and HealthCheckCanceled add nothing.
    ///
    /// `ociOrigin` is the OCI source's current (artifact revision, origin revision), used to name
    /// the commit of a failed attempt at that artifact; `sourceRevision` is the revision naming
    /// the source's current artifact's commit (a GitRepository's artifact revision, an
    /// OCIRepository's origin revision).
    public static func observations(
        of kustomization: Kustomization, ociOrigin: (artifact: String, origin: String)? = nil,
        sourceRevision: String? = nil, interval: String? = nil, now: Date
    ) -> [Observation] {
        let id = KustomizationID(namespace: kustomization.metadata.namespace ?? "", name: kustomization.metadata.name)
        let status = kustomization.status
        var result: [Observation] = []
        let applied = status?.lastAppliedOriginRevision.nonEmpty ?? status?.lastAppliedRevision.nonEmpty
        let history = status?.history ?? []
        func sameCommit(_ a: String?, _ b: String?) -> Bool {
            guard let a, let b else { return false }
            if a == b { return true }
            guard case .success(let x) = Revision.parse(a).flatMap({ $0.commit }),
                case .success(let y) = Revision.parse(b).flatMap({ $0.commit })
            else { return false }
            return x == y
        }
        // When Flux last said so: the condition's transition, or a later reconcile of the same snapshot.
        func reported(_ revision: String, since transition: String?) -> Date? {
            let times =
                history.filter { sameCommit($0.metadata?["originRevision"] ?? $0.metadata?["revision"], revision) }
                .map(\.lastReconciled) + [transition.flatMap(parseTime)].compactMap { $0 }
            return times.max()
        }
        if let ready = kustomization.readyCondition, let reason = ready.reason {
            let message = ready.message ?? ""
            func current(_ revision: String, _ outcome: Outcome, _ eventMessage: EventMessage) {
                result.append(
                    Observation(
                        kustomization: id, revision: revision, outcome: outcome, reason: reason, message: message,
                        time: now, origin: .status, isCurrent: true,
                        reportedAt: reported(revision, since: ready.lastTransitionTime), eventMessage: eventMessage))
            }
            if ready.status == "True", reason == "ReconciliationSucceeded", let applied {
                current(applied, .succeeded, .reconciliationFinished(interval: interval))
            } else if ready.status == "False", attemptedFailureReasons.contains(reason),
                var attempted = status?.lastAttemptedRevision.nonEmpty
            {
                if let ociOrigin, ociOrigin.artifact == attempted { attempted = ociOrigin.origin }
                current(attempted, .failed, .known(message))
            } else if ready.status == "False", sourceFailureReasons.contains(reason), let sourceRevision,
                emitsSourceRevisionEvent(reason: reason, message: message), !sameCommit(sourceRevision, applied)
            {
                current(sourceRevision, .failed, .known(message))
            }
        }
        if let commit = kustomization.eventCommitOverride {
            return result.map { observation in
                var moved = observation
                moved.revision = commit
                return moved
            }
        }
        if let applied {
            result.append(
                Observation(
                    kustomization: id, revision: applied, outcome: .succeeded,
                    reason: "ReconciliationSucceeded", time: nil, origin: .status,
                    eventMessage: .reconciliationFinished(interval: interval)))
        }
        for snapshot in history {
            guard let revision = snapshot.metadata?["originRevision"].nonEmpty ?? snapshot.metadata?["revision"].nonEmpty else { continue }
            let succeeded = snapshot.lastReconciledStatus == "ReconciliationSucceeded"
            result.append(
                Observation(
                    kustomization: id, revision: revision, outcome: succeeded ? .succeeded : .failed,
                    reason: snapshot.lastReconciledStatus, time: snapshot.lastReconciled,
                    origin: .history, eventMessage: succeeded ? .reconciliationFinished(interval: interval) : .unknown))
        }
        return result
    }

    /// RFC 3339 times as the API server writes them (with or without fractional seconds).
    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension Optional where Wrapped == String {
    /// The string, or nil when it is absent or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
