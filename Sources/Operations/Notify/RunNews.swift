import Foundation
import Reconcile

/// What a run has to tell: the new deployments it observed and the statuses it corrected or
/// backfilled. Built once per run; nothing is sent when it is empty.
public struct RunNews: Sendable {
    /// A deployment (a revision applied, or failed) not seen by an earlier run.
    public struct Deployment: Sendable, Hashable {
        /// The Kustomization.
        public var kustomization: KustomizationID
        /// The revision as Flux names it (`main@sha1:…`).
        public var revision: String
        /// The commit sha.
        public var sha: String
        /// Applied and healthy, or failed.
        public var outcome: Outcome
        /// Flux's reason (`ReconciliationSucceeded`, `HealthCheckFailed`, …).
        public var reason: String
        /// Flux's message.
        public var message: String
        /// When Flux reported it, if known.
        public var time: Date?
        /// A web link to the commit, when the repository's forge is known by its address.
        public var commitURL: String?
    }

    /// A commit status this run wrote.
    public struct StatusChange: Sendable, Hashable {
        /// `corrected` (the forge showed something else) or `backfilled` (it showed nothing).
        public var kind: String
        /// Why it was written (`ghost failure`, `missing`, …), as `plan` prints it.
        public var reason: String
        /// The Kustomization whose fact it is.
        public var kustomization: KustomizationID
        /// The forge repository (`github.com/acme/fleet`).
        public var repository: String
        /// The commit sha.
        public var sha: String
        /// The status context.
        public var context: String
        /// The state written (`success`, `failure`, …).
        public var state: String
        /// The description written.
        public var description: String
        /// The state the forge showed before, if any.
        public var previousState: String?
        /// A web link to the commit.
        public var commitURL: String?
    }

    /// This cluster's name.
    public var cluster: String
    /// When the run ended.
    public var time: Date
    /// New deployments, by Kustomization then time.
    public var deployments: [Deployment]
    /// Statuses written, by repository, commit and context.
    public var statuses: [StatusChange]

    /// Nothing happened worth telling.
    public var isEmpty: Bool { deployments.isEmpty && statuses.isEmpty }

    /// The news of a run: every deployment `isNew` admits (one per Kustomization, commit and outcome,
    /// the latest fact winning), and every status written successfully.
    public init(report: Pipeline.Report, cluster: String, time: Date, isNew: (Observation) -> Bool) {
        self.cluster = cluster
        self.time = time
        var latest: [String: (Observation, String)] = [:]
        for observation in report.observations where observation.origin != .ledger && isNew(observation) {
            guard case .success(let sha) = Revision.parse(observation.revision).flatMap({ $0.commit }) else { continue }
            let key = "\(observation.kustomization) \(sha) \(observation.outcome.rawValue)"
            if let seen = latest[key]?.0, !observation.supersedes(seen) { continue }
            latest[key] = (observation, sha)
        }
        deployments = latest.values.map { observation, sha in
            Deployment(
                kustomization: observation.kustomization, revision: observation.revision, sha: sha, outcome: observation.outcome,
                reason: observation.reason, message: observation.message,
                time: observation.isCurrent ? observation.reportedAt : observation.time,
                commitURL: report.repositories[observation.kustomization].map { Self.commitURL(repository: $0, sha: sha) })
        }
        .sorted { ($0.kustomization, $0.time ?? .distantPast, $0.sha) < ($1.kustomization, $1.time ?? .distantPast, $1.sha) }
        statuses = report.results.filter { $0.error == nil }.map { result in
            let write = result.write
            let backfill: Bool
            switch write.reason {
            case .missing, .intermediate: backfill = true
            default: backfill = false
            }
            return StatusChange(
                kind: backfill ? "backfilled" : "corrected", reason: write.reason.description, kustomization: write.kustomization,
                repository: write.target.repository, sha: write.status.sha, context: write.target.context,
                state: write.status.state.rawValue, description: write.status.description, previousState: write.current?.state.rawValue,
                commitURL: Self.commitURL(repository: "https://" + write.target.repository, sha: write.status.sha))
        }
        .sorted { ($0.repository, $0.sha, $0.context) < ($1.repository, $1.sha, $1.context) }
    }

    /// A commit's web page, from the repository's address (`https://host/path`): GitLab's is under
    /// `/-/commit/`, Bitbucket Cloud's `/commits/`, the others' (GitHub, Gitea, Azure DevOps) `/commit/`.
    public static func commitURL(repository: String, sha: String) -> String {
        var base = repository.hasPrefix("http") ? repository : "https://" + repository
        while base.hasSuffix("/") { base.removeLast() }
        if base.contains("gitlab") { return "\(base)/-/commit/\(sha)" }
        if base.contains("bitbucket.org") { return "\(base)/commits/\(sha)" }
        return "\(base)/commit/\(sha)"
    }

    /// Which observations are new, without a ledger: those Flux reported within `window` before
    /// `now` (the Ready condition's transition for the current state, the event or history time for
    /// the others). With the CronJob's interval as the window, each deployment is told about once;
    /// a run that did not happen loses its window's news (the ledger keeps them).
    public static func reportedWithin(_ window: TimeInterval, of now: Date) -> @Sendable (Observation) -> Bool {
        { observation in
            guard let time = observation.isCurrent ? observation.reportedAt : observation.time else { return false }
            return time >= now.addingTimeInterval(-window)
        }
    }
}
