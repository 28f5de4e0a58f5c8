import Forges
import Foundation
import GitHistory
import Logging

/// What git says, per repository (`RepositoryAddress.key`), and the selection made with it.
public struct Resolved: Sendable {
    /// Git facts per repository.
    public var git: [String: GitFacts] = [:]
    /// The selection per Kustomization (units whose repository was read).
    public var selections: [KustomizationID: Selection] = [:]
    /// Repositories that could not be read; their units are skipped with this reason.
    public var unreadable: [String: String] = [:]
    /// First-parent walks performed to find intermediate commits.
    public var walks = 0
    /// What could not be used.
    public var problems: [Problem] = []
}

/// Stage 2, resolve: observations → git facts (SPEC section 6). Each repository is opened or
/// fetched once (a bounded number at a time), its observed commits looked up, the selection made,
/// and every Kustomization's intermediate ranges found in one pass over the history.
public enum Resolve {
    /// Resolves every unit of `observed`.
    public static func run(
        _ observed: Observed, repositories: any RepositoryProvider, policy: PlanPolicy,
        concurrency: Int, logger: Logger
    ) async -> Resolved {
        let sources = observed.sources.sorted { $0.key < $1.key }
        let units = Dictionary(grouping: observed.units.filter { $0.repository != nil }, by: { $0.repository! })
        let results = await sources.concurrentMap(limit: concurrency) { (key, source) -> (String, Result<RepositoryFacts, Error>) in
            do {
                let repository = try await repositories.open(source)
                return (key, .success(try await facts(for: units[key] ?? [], repository: key, in: repository, policy: policy)))
            } catch {
                return (key, .failure(error))
            }
        }
        var resolved = Resolved()
        for (key, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let facts):
                resolved.git[key] = facts.git
                resolved.selections.merge(facts.selections) { a, _ in a }
                resolved.walks += facts.walks
            case .failure(let error):
                let url = observed.sources[key]?.url ?? key
                resolved.unreadable[key] = "its repository \(url) could not be read: \(error)"
                resolved.problems.append(Problem("repository \(url)", error, stage: .resolve))
            }
        }
        logger.debug(
            "resolved",
            metadata: [
                "repositories": .stringConvertible(resolved.git.count),
                "walks": .stringConvertible(resolved.walks),
            ])
        return resolved
    }

    /// What one repository contributes.
    struct RepositoryFacts: Sendable {
        var git = GitFacts()
        var selections: [KustomizationID: Selection] = [:]
        var walks = 0
    }

    /// Looks up the observed commits of `units` in `repository`, selects, and walks the ranges.
    static func facts(
        for units: [PlanUnit], repository key: String, in repository: Repository,
        policy: PlanPolicy
    ) async throws -> RepositoryFacts {
        try await repository.withRepository { repository in
            var result = RepositoryFacts()
            // A commit counts only if a branch or tag still reaches it: one force-pushed away but kept
            // in a cached mirror's object store is reported as missing, never written.
            let tips = (try? repository.refTips()) ?? []
            var found: [ObjectID: Date] = [:]
            for unit in units {
                // The revision Flux is applying now is looked up too: the deployments stage shows it in progress.
                for revision in unit.observations.map(\.revision) + [unit.progressing?.revision].compactMap({ $0 }) {
                    guard case .success(let sha) = Revision.parse(revision).flatMap({ $0.commit }),
                        let id = ObjectID(hex: sha), found[id] == nil, let commit = try? repository.commit(sha), commit.sha == sha
                    else { continue }
                    found[id] = commit.committerTime
                }
            }
            let reachable = (try? repository.reachable(Set(found.keys), fromAny: tips)) ?? []
            for (id, time) in found where reachable.contains(id) { result.git.commitTimes[id.hex] = time }
            var ranges: Set<IntermediateKey> = []
            for unit in units {
                let selection = Selection.make(unit, repository: key, commitTimes: result.git.commitTimes, policy: policy)
                result.selections[unit.kustomization] = selection
                ranges.formUnion(selection.ranges)
            }
            guard !ranges.isEmpty else { return result }
            let walked = try repository.carriedCommits(for: ranges.compactMap(CarriedRange.init))
            result.walks = walked.walks
            for range in ranges {
                guard let carried = CarriedRange(range) else { continue }
                result.git.intermediates[range] = (walked.commits[carried] ?? []).map {
                    (sha: $0.id.hex, time: Date(timeIntervalSince1970: TimeInterval($0.committerTime)))
                }
            }
            return result
        }
    }
}

extension CarriedRange {
    /// The git range of an intermediate key; nil when a sha is malformed.
    init?(_ key: IntermediateKey) {
        guard let from = ObjectID(hex: key.from), let to = ObjectID(hex: key.to) else { return nil }
        self.init(from: from, to: to, path: key.path)
    }
}
