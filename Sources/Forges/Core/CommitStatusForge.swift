import Foundation

/// The one interface the reconciler uses to talk to a forge.
///
/// Each conforming client maps the forge-neutral `CommitStatus` to its own fields and states.
/// Reads return, per commit, the latest status per context, newest first; commits without statuses
/// map to an empty array. The "read first, write only what differs" rule lives once, in
/// `CommitStatusForge.ensure(_:)`, not in the clients.
public protocol CommitStatusForge: Sendable {
    /// The repository this client writes to.
    var repository: ForgeRepository { get }

    /// Requests sent so far by this client (reads, writes, token exchanges, retries).
    var requests: RequestCounter { get }

    /// Reads the existing statuses of many commits, using bulk requests where the forge allows it.
    func statuses(of shas: [String]) async throws -> [String: [CommitStatus]]

    /// Creates (or, on forges that key statuses, overwrites) one status.
    func create(_ status: CommitStatus) async throws

    /// The identity the forge keys a status by, for a context id (GitHub: case-insensitive
    /// context; Bitbucket: SHA-1 hex of the id; Azure DevOps: `genre/name`).
    func statusKey(forContext context: String) -> String

    /// The forge's word for a neutral state when writing (SPEC section 5).
    func forgeState(for state: CommitState) -> String

    /// The description as the forge will store it (trimmed to its limit).
    func storedDescription(_ description: String) -> String
}

extension CommitStatusForge {
    /// Reads the statuses of one commit.
    public func statuses(of sha: String) async throws -> [CommitStatus] {
        try await statuses(of: [sha])[sha] ?? []
    }
}
