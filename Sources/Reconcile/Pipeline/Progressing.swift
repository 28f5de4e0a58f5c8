import Foundation
import Kube

extension Observe {
    /// The revision kustomize-controller is still applying, when it is not the applied one.
    ///
    /// While it reconciles, kustomize-controller sets Ready=Unknown, reason `Progressing`
    /// ("Reconciliation in progress"), and a Reconciling=True condition whose message names the
    /// revision ("Fetching manifests for revision REV …", "Building manifests for revision REV …",
    /// "Running health checks for revision REV …"); it records `lastAttemptedRevision` once the
    /// artifact is fetched. The revision is taken from those messages, else from
    /// `lastAttemptedRevision`. A periodic reconcile of the applied revision is not progress: that
    /// commit is deployed, and marking it in progress every interval would only churn the forge.
    public static func progress(of kustomization: Kustomization, ociOrigin: (artifact: String, origin: String)? = nil) -> Progress? {
        let conditions = kustomization.status?.conditions ?? []
        guard let ready = conditions.first(where: { $0.type == "Ready" }), ready.status == "Unknown",
            ready.reason?.hasPrefix("Progressing") == true
        else { return nil }
        let reconciling = conditions.first { $0.type == "Reconciling" && $0.status == "True" }
        let named = [reconciling?.message, ready.message].lazy.compactMap { $0.flatMap(revisionNamed) }.first
        guard var revision = named ?? kustomization.status?.lastAttemptedRevision.nonEmpty else { return nil }
        if let ociOrigin, ociOrigin.artifact == revision { revision = ociOrigin.origin }
        let applied = kustomization.status?.lastAppliedOriginRevision.nonEmpty ?? kustomization.status?.lastAppliedRevision.nonEmpty
        if let applied, let a = commit(of: applied), a == commit(of: revision) { return nil }
        let since = (reconciling?.lastTransitionTime ?? ready.lastTransitionTime).flatMap(parseTime)
        return Progress(revision: revision, since: since)
    }

    /// `… for revision REV with a timeout of …` → `REV`.
    static func revisionNamed(in message: String) -> String? {
        guard let range = message.range(of: "for revision ") else { return nil }
        let word = message[range.upperBound...].prefix { !$0.isWhitespace }
        return word.isEmpty ? nil : String(word)
    }

    private static func commit(of revision: String) -> String? {
        guard case .success(let sha) = Revision.parse(revision).flatMap({ $0.commit }) else { return nil }
        return sha
    }
}
