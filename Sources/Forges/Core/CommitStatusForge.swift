import Foundation

/// The one interface the reconciler uses to talk to a forge.
///
/// Each conforming client maps the forge-neutral `CommitStatus` to its own fields and states.
/// Reads return, per commit, the latest status per context, newest first; commits without statuses
/// map to an empty array. The "what differs" rule lives once, in `ForgeKind.shows(_:current:)`,
/// a pure function the planner calls without a client; clients only read and write.
public protocol CommitStatusForge: Sendable {
    /// The repository this client writes to.
    var repository: ForgeRepository { get }

    /// Requests sent so far by this client (reads, writes, token exchanges, retries).
    var requests: RequestCounter { get }

    /// Reads the existing statuses of many commits, using bulk requests where the forge allows it.
    func statuses(of shas: [String]) async throws -> [String: [CommitStatus]]

    /// Reads the existing statuses of many commits, limited to the given context ids where the
    /// forge can only read a status by its key (Bitbucket Data Center: one `GET …/builds?key=` per
    /// commit and context). Every commit asked for maps to an array, empty when it has none.
    ///
    /// The default reads everything with `statuses(of:)` and ignores `contexts`, so a forge that
    /// can list a commit's statuses need not implement it; callers may get statuses of other
    /// contexts too and must match by `statusKey(forContext:)`.
    func statuses(of shas: [String], contexts: Set<String>) async throws -> [String: [CommitStatus]]

    /// Creates (or, on forges that key statuses, overwrites) one status.
    func create(_ status: CommitStatus) async throws

    /// The identity the forge keys a status by, for a context id (GitHub: case-insensitive
    /// context; Bitbucket: SHA-1 hex of the id; Azure DevOps: `genre/name`).
    func statusKey(forContext context: String) -> String

    /// The forge's word for a neutral state when writing (SPEC section 5).
    func forgeState(for state: CommitState) -> String

    /// The description as the forge will store it (cut to its limit, or trimmed).
    func storedDescription(_ description: String) -> String
}

extension CommitStatusForge {
    /// `repository.kind.statusKey(forContext:)`.
    public func statusKey(forContext context: String) -> String { repository.kind.statusKey(forContext: context) }

    /// `repository.kind.forgeState(for:)`.
    public func forgeState(for state: CommitState) -> String { repository.kind.forgeState(for: state) }

    /// `repository.kind.storedDescription(_:)`.
    public func storedDescription(_ description: String) -> String { repository.kind.storedDescription(description) }

    /// Lists every status with `statuses(of:)`; `contexts` is not needed.
    public func statuses(of shas: [String], contexts: Set<String>) async throws -> [String: [CommitStatus]] {
        try await statuses(of: shas)
    }

    /// Whether the forge already shows `status` (`ForgeKind.shows`), read fresh: asked before a
    /// write whose answer was lost is sent again, on forges where every POST appends.
    func alreadyShows(_ status: CommitStatus) async throws -> Bool {
        let key = statusKey(forContext: status.context)
        let read = try await statuses(of: [status.sha], contexts: [status.context])
        guard let current = read[status.sha]?.first(where: { $0.forgeKey == key }) else { return false }
        return repository.kind.shows(status, current: current)
    }

    /// Reads the statuses of one commit.
    public func statuses(of sha: String) async throws -> [CommitStatus] {
        try await statuses(of: [sha])[sha] ?? []
    }
}
