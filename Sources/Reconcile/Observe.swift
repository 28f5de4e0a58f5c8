import Foundation
import Kube

/// From a Kustomization's status to observations (SPEC section 4).
public enum Observe {
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

    /// RFC 3339 times as the API server writes them (with or without fractional seconds).
    static func parseTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

extension Optional where Wrapped == String {
    /// The string, or nil when it is absent or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
