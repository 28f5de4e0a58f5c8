import Forges
import Foundation
import Kube
import Logging
import Reconcile
import RepositoryAddress
import Synchronization

/// What one cluster says: each selected Kustomization's facts (current status, `status.history`,
/// events), and the pipeline's own view of it (status targets, git sources, forge endpoints) from
/// `Observe.run`, so the audit reads the forge and git exactly where `sync` writes and reads.
public struct ClusterRecords: Sendable {
    /// The cluster's name in the report.
    public var name: String
    /// One per selected Kustomization, with the facts the cluster holds.
    public var kustomizations: [KustomizationFacts]
    /// The pipeline's observation of the same Kustomizations (targets, repositories).
    public var observed: Observed

    /// Reads the cluster once: `Observe.run` for the units, and the same inventory (recorded as it
    /// passes) for the times the pipeline's observations do not keep (a snapshot's
    /// `firstReconciled`, an event's first time).
    public static func read(
        _ cluster: any ClusterReader, name: String, settings: PipelineSettings, forgeOptions: ForgeOptions, now: Date,
        logger: Logger
    ) async throws -> ClusterRecords {
        let recording = RecordingCluster(cluster)
        let observed = try await Observe.run(recording, settings: settings, forgeOptions: forgeOptions, now: now, logger: logger)
        let inventory = recording.inventory
        var kustomizations: [KustomizationFacts] = []
        for unit in observed.units {
            guard
                let entry = inventory?.entries.first(where: {
                    $0.kustomization.metadata.name == unit.kustomization.name
                        && ($0.kustomization.metadata.namespace ?? "") == unit.kustomization.namespace
                })
            else { continue }
            kustomizations.append(facts(of: entry, unit: unit, now: now))
        }
        return ClusterRecords(name: name, kustomizations: kustomizations, observed: observed)
    }

    /// One Kustomization's facts from its inventory entry.
    public static func facts(of entry: FluxInventory.Entry, unit: PlanUnit, now: Date) -> KustomizationFacts {
        let k = entry.kustomization
        let status = k.status
        let applied = status?.lastAppliedOriginRevision.flatMap { $0.isEmpty ? nil : $0 } ?? status?.lastAppliedRevision
        let ready = k.readyCondition
        var facts: [DeploymentFact] = []
        // The Ready condition's word now: true now; a failure also since its transition.
        for observation in unit.observations where observation.origin == .status {
            let outcome: DeploymentOutcome = observation.outcome == .succeeded ? .succeeded : .failed
            let transition = ready?.lastTransitionTime.flatMap(RFC3339Time.parse)
            facts.append(
                DeploymentFact(
                    revision: observation.revision, sha: commit(observation.revision), outcome: outcome,
                    reason: observation.reason, message: observation.message, origin: .status,
                    firstTime: observation.isCurrent && outcome == .failed ? transition : nil,
                    lastTime: observation.isCurrent ? now : nil))
        }
        for snapshot in status?.history ?? [] {
            guard let revision = nonEmpty(snapshot.metadata?["originRevision"]) ?? nonEmpty(snapshot.metadata?["revision"]) else {
                continue
            }
            let succeeded = snapshot.lastReconciledStatus == "ReconciliationSucceeded"
            facts.append(
                DeploymentFact(
                    revision: revision, sha: commit(revision), outcome: succeeded ? .succeeded : .failed,
                    reason: snapshot.lastReconciledStatus, origin: .history, firstTime: snapshot.firstReconciled,
                    lastTime: snapshot.lastReconciled))
        }
        // The events notification-controller posts for (as `Observe.observations(of:kustomization:)` selects them).
        for event in entry.events where event.isFailure || event.isCommitStatusUpdate {
            guard let revision = event.originRevision ?? event.revision else { continue }
            facts.append(
                DeploymentFact(
                    revision: revision, sha: commit(revision), outcome: event.isFailure ? .failed : .succeeded,
                    reason: event.reason, message: event.message, origin: .event, firstTime: event.firstTime ?? event.time,
                    lastTime: event.time))
        }
        let repository = unit.repository
        let branch = trackedBranch(entry, applied: applied)
        return KustomizationFacts(
            namespace: unit.kustomization.namespace, name: unit.kustomization.name, path: k.spec.path ?? "./",
            repository: entry.sourceURL, branch: branch, suspended: k.isSuspended, unsupportedSource: unit.unsupported,
            live: LiveStatus(
                revision: applied, sha: applied.flatMap(commit), ready: ready?.status, reason: ready?.reason ?? "",
                message: ready?.message ?? ""),
            facts: facts,
            history: repository.flatMap { r in branch.map { BranchKey(repository: r, branch: $0) } })
    }

    /// The branch a Kustomization's source follows: the GitRepository's `spec.ref.branch` (or a
    /// `refs/heads/` name; without any ref, source-controller's default `master`); for an OCI source,
    /// the named pointer of its origin revision (`main@sha1:…`). Nil for a tag, semver range or commit.
    static func trackedBranch(_ entry: FluxInventory.Entry, applied: String?) -> String? {
        if let git = entry.gitRepository {
            guard let ref = git.spec.ref else { return "master" }
            if let branch = nonEmpty(ref.branch) { return branch }
            if let name = ref.name, name.hasPrefix("refs/heads/") { return String(name.dropFirst("refs/heads/".count)) }
            return nil
        }
        if entry.ociRepository != nil, let origin = entry.ociRepository?.originRevision ?? applied,
            case .success(let revision) = Revision.parse(origin), let pointer = revision.pointer
        {
            return pointer.hasPrefix("refs/heads/") ? String(pointer.dropFirst("refs/heads/".count)) : pointer
        }
        return nil
    }

    static func commit(_ revision: String) -> String? {
        try? Revision.parse(revision).flatMap { $0.commit }.get()
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// Passes every call to the real cluster and keeps the inventory it returned, so the audit reads
/// the Kustomizations once although it needs more of them than the pipeline keeps.
final class RecordingCluster: ClusterReader {
    let base: any ClusterReader
    private let recorded = Mutex<FluxInventory?>(nil)

    init(_ base: any ClusterReader) { self.base = base }

    var inventory: FluxInventory? { recorded.withLock { $0 } }

    func inventory(namespace: String?, selector: String?, events: Bool) async throws -> FluxInventory {
        let inventory = try await base.inventory(namespace: namespace, selector: selector, events: events)
        recorded.withLock { $0 = inventory }
        return inventory
    }

    func secret(namespace: String, name: String) async throws -> Secret {
        try await base.secret(namespace: namespace, name: name)
    }
}
