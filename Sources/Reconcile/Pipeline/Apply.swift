import Forges
import Foundation
import Logging
import Synchronization

/// What happened to one planned write.
public struct WriteResult: Sendable {
    /// The write.
    public var write: PlannedWrite
    /// nil when written; otherwise why it failed (names the repository and what to fix).
    public var error: ForgeError?
}

/// Stage 6, apply: writes the plan through the forge clients, one task per forge repository (a
/// failing repository never stops the others), bounded concurrency within each, the client's own
/// pacer and retries underneath. The plan was read against the forge already, so it only writes.
public enum Apply {
    /// Writes every planned status; results come back in plan order (newest commit first).
    /// `progress` is called after each write with the number done so far and the total.
    /// `credentialSources` (repository → where its credential came from) lets a rejected
    /// credential's error name its Secret and key. `finished` is called with each result as it
    /// comes (a SIGTERM handler can then say what failed so far).
    public static func run(
        _ plan: Plan, clients: [String: any CommitStatusForge], concurrency: @escaping @Sendable (String) -> Int,
        credentialSources: [String: String] = [:],
        logger: Logger, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        finished: (@Sendable (WriteResult) -> Void)? = nil
    ) async -> [WriteResult] {
        let groups = Dictionary(grouping: plan.writes.enumerated().map { ($0.offset, $0.element) }, by: \.1.target.endpoint)
        let done = WriteCount()
        let results = await withTaskGroup(of: [(Int, WriteResult)].self) { group in
            for (repository, writes) in groups {
                group.addTask {
                    guard let client = clients[repository] else {
                        let error = ForgeError(.configuration, repository: repository, message: "no forge client")
                        let results = writes.map { ($0.0, WriteResult(write: $0.1, error: error)) }
                        for result in results { finished?(result.1) }
                        return results
                    }
                    return await writes.concurrentMap(limit: concurrency(repository)) { (index, write) in
                        defer { progress?(done.increment(), plan.writes.count) }
                        do {
                            try await client.create(write.status)
                            finished?(WriteResult(write: write, error: nil))
                            return (index, WriteResult(write: write, error: nil))
                        } catch {
                            let failure =
                                (error as? ForgeError)?.naming(credentialSource: credentialSources[repository])
                                ?? ForgeError(
                                    .unavailable, repository: repository, sha: write.status.sha,
                                    context: write.status.context, message: "\(error)")
                            finished?(WriteResult(write: write, error: failure))
                            return (index, WriteResult(write: write, error: failure))
                        }
                    }
                }
            }
            var all: [(Int, WriteResult)] = []
            for await part in group { all += part }
            return all
        }
        let failed = results.filter { $0.1.error != nil }.count
        logger.debug("applied", metadata: ["written": .stringConvertible(results.count - failed), "failed": .stringConvertible(failed)])
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// Writes done so far, shared by the tasks of one apply.
private final class WriteCount: Sendable {
    private let count = Mutex(0)

    func increment() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}
