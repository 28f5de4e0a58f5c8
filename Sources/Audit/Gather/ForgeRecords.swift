import Forges
import Foundation
import Logging
import Reconcile

/// The commit statuses already on the forge (posted by notification-controller, or by fluxstamp),
/// as deployment facts: they carry the forge's creation time and outlive the cluster's five
/// snapshots and one hour of events.
public enum ForgeRecords {
    /// Reads, with one bulk read per forge repository, the statuses of `shas` (per repository key)
    /// in the contexts the units' targets name, and returns each unit's facts by `namespace/name`.
    ///
    /// A success or failure in the unit's context is a fact at its creation time; pending and other
    /// states, and fluxstamp's own `deployed with …` statuses (a carried commit, not a deployment),
    /// are not. A repository whose statuses cannot be read is a problem; the report goes on.
    public static func facts(
        units: [PlanUnit], shas: [String: Set<String>], clients: [String: any CommitStatusForge], logger: Logger
    ) async -> (facts: [String: [DeploymentFact]], problems: [Problem]) {
        var reads: [String: (shas: Set<String>, contexts: Set<String>)] = [:]
        for unit in units {
            guard let repository = unit.repository, let wanted = shas[repository], !wanted.isEmpty else { continue }
            for target in unit.targets where target.contextExpression == nil {
                reads[target.repository, default: ([], [])].shas.formUnion(wanted)
                reads[target.repository, default: ([], [])].contexts.insert(target.context)
            }
        }
        let jobs = reads.filter { clients[$0.key] != nil }.sorted { $0.key < $1.key }
        let results = await jobs.concurrentMap(limit: max(1, jobs.count)) {
            (repository, read) -> (String, Result<[String: [CommitStatus]], Error>) in
            do {
                return (repository, .success(try await clients[repository]!.statuses(of: read.shas.sorted(), contexts: read.contexts)))
            } catch {
                return (repository, .failure(error))
            }
        }
        var statuses: [String: [String: [CommitStatus]]] = [:]
        var problems: [Problem] = []
        for (repository, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let found): statuses[repository] = found
            case .failure(let error): problems.append(Problem(repository, error, stage: .readForge))
            }
        }
        var facts: [String: [DeploymentFact]] = [:]
        for unit in units {
            guard let repository = unit.repository, let wanted = shas[repository] else { continue }
            for target in unit.targets where target.contextExpression == nil {
                guard let found = statuses[target.repository] else { continue }
                for sha in wanted {
                    for status in found[sha] ?? [] where (status.forgeKey ?? status.context.lowercased()) == target.key {
                        guard let outcome = outcome(of: status) else { continue }
                        facts[unit.kustomization.description, default: []].append(
                            DeploymentFact(
                                revision: sha, sha: sha, outcome: outcome, reason: "", message: status.description, origin: .forge,
                                firstTime: status.createdAt, lastTime: status.createdAt))
                    }
                }
            }
        }
        logger.debug("read commit statuses", metadata: ["repositories": .stringConvertible(jobs.count)])
        return (facts, problems)
    }

    /// Succeeded or failed for a status that records a deployment; nil for anything else.
    static func outcome(of status: CommitStatus) -> DeploymentOutcome? {
        if status.description.hasPrefix("deployed with ") { return nil }
        switch status.state {
        case .succeeded: return .succeeded
        case .failed: return .failed
        default: return nil
        }
    }
}
