import Foundation

/// A status as an emulator stores it, in the forge's own words.
public struct EmulatedStatus: Sendable, Hashable {
    /// Order of creation within the emulator.
    public var id: Int
    /// Commit SHA.
    public var sha: String
    /// Context, name or key, as the forge identifies the status.
    public var context: String
    /// The forge's state word.
    public var state: String
    /// Description.
    public var description: String
    /// Target URL.
    public var targetURL: String?
    /// Display name (Bitbucket).
    public var name: String?
    /// Genre (Azure DevOps).
    public var genre: String?
    /// Creation time.
    public var createdAt: Date
    /// Last update (Bitbucket overwrites).
    public var updatedAt: Date
    /// The user who created it.
    public var creator: String
    /// The ref the status was posted for (GitLab `ref`).
    public var ref: String? = nil
}

/// Stored statuses per commit, in creation order.
struct StatusStore {
    private(set) var bySha: [String: [EmulatedStatus]] = [:]
    private var nextID = 1

    mutating func append(_ make: (Int) -> EmulatedStatus) -> EmulatedStatus {
        let status = make(nextID)
        nextID += 1
        bySha[status.sha, default: []].append(status)
        return status
    }

    /// Replaces the status with the same context (Bitbucket keys), or appends.
    mutating func upsert(_ make: (Int) -> EmulatedStatus) -> EmulatedStatus {
        var status = make(nextID)
        if let index = bySha[status.sha]?.firstIndex(where: { $0.context == status.context }) {
            let old = bySha[status.sha]![index]
            status.id = old.id
            status.createdAt = old.createdAt
            bySha[status.sha]![index] = status
            return status
        }
        nextID += 1
        bySha[status.sha, default: []].append(status)
        return status
    }

    func newestFirst(_ sha: String) -> [EmulatedStatus] { (bySha[sha] ?? []).reversed() }

    /// The newest status per context, newest first.
    func latestPerContext(_ sha: String, caseInsensitive: Bool = false) -> [EmulatedStatus] {
        var seen = Set<String>()
        return newestFirst(sha).filter { seen.insert(caseInsensitive ? $0.context.lowercased() : $0.context).inserted }
    }

    var count: Int { bySha.values.reduce(0) { $0 + $1.count } }
}

/// One page of `items` (1-based `page`), and whether more follow.
func pageOf<T>(_ items: [T], page: Int, size: Int) -> (items: [T], hasNext: Bool) {
    let start = max(0, (page - 1) * size)
    guard start < items.count else { return ([], false) }
    let end = min(items.count, start + size)
    return (Array(items[start..<end]), end < items.count)
}
