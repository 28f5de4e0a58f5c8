import Forges
import Foundation
import Logging

/// The forge's current statuses, per forge repository, per sha, newest first.
public struct Existing: Sendable {
    /// Forge repository → sha → statuses.
    public var statuses: [String: [String: [CommitStatus]]] = [:]
    /// Forge repositories whose statuses could not be read: nothing is written there on a guess.
    public var unread: Set<String> = []
    /// What could not be read.
    public var problems: [Problem] = []
}

/// Stage 4, read the forge: the existing statuses of exactly the commits and contexts the desired
/// statuses name, one bulk reader per forge repository, all repositories at once.
public enum ReadForge {
    /// One client per forge endpoint. An endpoint whose client cannot be built is a problem.
    public static func clients(
        for endpoints: [String: ForgeEndpoint], factory: any ForgeFactory
    ) -> (clients: [String: any CommitStatusForge], problems: [Problem]) {
        var clients: [String: any CommitStatusForge] = [:]
        var problems: [Problem] = []
        for (name, endpoint) in endpoints.sorted(by: { $0.key < $1.key }) {
            do { clients[name] = try factory.client(for: endpoint) } catch {
                problems.append(Problem(name, error, stage: .readForge))
            }
        }
        return (clients, problems)
    }

    /// Reads what `desired` needs from each repository's client. `credentialSources` (repository →
    /// where its credential came from) lets a rejected credential's problem name its Secret and key.
    public static func run(
        _ desired: Planner.Desired, clients: [String: any CommitStatusForge], credentialSources: [String: String] = [:],
        logger: Logger
    ) async -> Existing {
        var existing = Existing()
        // A repository whose client could not be built was reported by `clients(for:factory:)`
        // already: it is left alone, without a second line for the same cause.
        existing.unread = Set(desired.reads.keys.filter { clients[$0] == nil })
        let reads = desired.reads.filter { clients[$0.key] != nil }.sorted { $0.key < $1.key }
        let results = await reads.concurrentMap(limit: max(1, reads.count)) {
            (repository, read) -> (String, Result<[String: [CommitStatus]], Error>) in
            let client = clients[repository]!
            do {
                return (repository, .success(try await client.statuses(of: read.shas.sorted(), contexts: read.contexts)))
            } catch {
                return (repository, .failure(error))
            }
        }
        for (repository, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let statuses):
                existing.statuses[repository] = statuses
            case .failure(let error):
                existing.unread.insert(repository)
                let named = (error as? ForgeError)?.naming(credentialSource: credentialSources[repository]) ?? error
                existing.problems.append(Problem(repository, named, stage: .readForge))
            }
        }
        logger.debug("read the forges", metadata: ["repositories": .stringConvertible(reads.count)])
        return existing
    }
}
