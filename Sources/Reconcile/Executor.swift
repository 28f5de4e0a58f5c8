import Forges
import Foundation

/// What happened to one planned write.
public struct WriteResult: Sendable {
    /// The write.
    public var write: PlannedWrite
    /// nil when written; otherwise why it failed (names the repository and what to fix).
    public var error: ForgeError?
}

/// Applies a plan through the forge clients: one task per forge repository (a failing
/// repository never stops the others), bounded concurrency within each, the client's own pacer
/// and retries underneath. The plan was read against the forge already, so it only writes.
public enum Executor {
    /// Writes every planned status. `forges` maps a target repository to its client; a write
    /// whose repository has no client fails with `missingForge`'s message. `progress` is called
    /// after each write with the number done so far.
    public static func apply(_ plan: Plan, forges: [String: any CommitStatusForge], concurrency: Int = 4,
                             missingForge: @escaping @Sendable (String) -> ForgeError,
                             progress: (@Sendable (Int) -> Void)? = nil) async -> [WriteResult] {
        let groups = Dictionary(grouping: plan.writes, by: \.target.repository)
        let done = Counter()
        let results = await withTaskGroup(of: [WriteResult].self) { group in
            for (repository, writes) in groups {
                group.addTask {
                    guard let forge = forges[repository] else {
                        let error = missingForge(repository)
                        return writes.map { WriteResult(write: $0, error: error) }
                    }
                    return await writes.concurrentMap(limit: concurrency) { write in
                        defer { progress?(done.increment()) }
                        do {
                            try await forge.create(write.status)
                            return WriteResult(write: write, error: nil)
                        } catch let error as ForgeError {
                            return WriteResult(write: write, error: error)
                        } catch {
                            return WriteResult(write: write, error: ForgeError(.unavailable, repository: repository, sha: write.status.sha,
                                                                               context: write.status.context, message: "\(error)"))
                        }
                    }
                }
            }
            var all: [WriteResult] = []
            for await part in group { all += part }
            return all
        }
        // Report in plan order (newest commit first), whatever order the tasks finished in.
        let order = Dictionary(plan.writes.enumerated().map { (PlanKey($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
        return results.sorted { (order[PlanKey($0.write)] ?? 0) < (order[PlanKey($1.write)] ?? 0) }
    }

    private struct PlanKey: Hashable {
        var repository: String, key: String, sha: String
        init(_ write: PlannedWrite) {
            repository = write.target.repository
            key = write.target.key
            sha = write.status.sha
        }
    }
}

/// A thread-safe counter for progress reporting.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
