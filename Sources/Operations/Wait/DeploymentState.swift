import Foundation
import Reconcile

/// Where one Kustomization stands with respect to a commit `fluxstamp wait` waits for.
public enum DeploymentState: Sendable, Hashable, CustomStringConvertible {
    /// Ready at a revision that includes the commit (the commit itself or a later one Flux applied).
    case deployed(revision: String)
    /// Failed at a revision that includes the commit: the reason and message Flux gave.
    case failed(revision: String, reason: String, message: String)
    /// Not yet: what the Kustomization shows instead.
    case pending(String)

    /// Whether the wait for this Kustomization is over (deployed or failed).
    public var isSettled: Bool {
        if case .pending = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .deployed(let revision): return "deployed at \(revision)"
        case .failed(let revision, let reason, let message):
            return "failed at \(revision): \(reason)\(message.isEmpty || message == reason ? "" : ": \(message)")"
        case .pending(let why): return "pending: \(why)"
        }
    }

    /// Decides from the observations `Observe.observations(of:…)` gives for the Kustomization now,
    /// and whether a revision includes the commit (`includes` answers nil when the revision's commit
    /// is not in the repository yet).
    ///
    /// The current Ready condition decides when its revision includes the commit: Ready=True is
    /// deployed, a failure is failed (a later revision that carries the commit counts the same:
    /// Flux may skip past a commit when several land between two reconciliations). Otherwise the
    /// last applied revision decides: it passed apply and health checks, so when it includes the
    /// commit the commit is deployed even while a newer revision is being reconciled.
    public static func decide(_ observations: [Observation], includes: (String) -> Bool?) -> DeploymentState {
        let current = observations.first { $0.isCurrent }
        if let current, includes(current.revision) == true {
            switch current.outcome {
            case .succeeded: return .deployed(revision: current.revision)
            case .failed: return .failed(revision: current.revision, reason: current.reason, message: current.message)
            }
        }
        let applied = observations.first { $0.origin == .status && !$0.isCurrent && $0.outcome == .succeeded }
        if let applied, includes(applied.revision) == true { return .deployed(revision: applied.revision) }
        guard let current else {
            if let applied { return .pending("applied \(applied.revision), which does not include the commit; not Ready now") }
            return .pending("nothing applied yet")
        }
        let word = current.outcome == .succeeded ? "Ready" : "failed (\(current.reason))"
        let why = includes(current.revision) == nil ? "which is not in the repository yet" : "which does not include the commit"
        return .pending("\(word) at \(current.revision), \(why)")
    }
}
