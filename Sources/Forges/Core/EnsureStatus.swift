/// What `ensure` did with one desired status.
public enum EnsureOutcome: Sendable {
    /// The forge already had this status (same key, state and description): nothing was sent.
    case alreadyThere
    /// The status was written.
    case written
    /// Reading or writing failed; the error says why and what to fix.
    case failed(ForgeError)
}

/// One desired status and what happened to it.
public struct EnsureResult: Sendable {
    /// The status that was asked for.
    public var status: CommitStatus
    /// What happened.
    public var outcome: EnsureOutcome
}

extension CommitStatusForge {
    /// Makes the forge show each desired status: reads the existing statuses of every commit in
    /// bulk (with the desired contexts, which Bitbucket Data Center needs to read by key), then writes only those that differ (by key, forge state and stored description).
    /// Results come back in the order given. A second call over an unchanged forge sends no write.
    public func ensure(_ desired: [CommitStatus], concurrency: Int = 8) async -> [EnsureResult] {
        let shas = Array(Set(desired.map(\.sha))).sorted()
        let existing: [String: [CommitStatus]]
        do {
            existing = try await statuses(of: shas, contexts: Set(desired.map(\.context)))
        } catch {
            let failure = error as? ForgeError
                ?? ForgeError(.unavailable, repository: repository.description, message: "reading statuses failed: \(error)")
            return desired.map { EnsureResult(status: $0, outcome: .failed(failure)) }
        }
        var outcomes = [EnsureOutcome?](repeating: nil, count: desired.count)
        var toWrite: [Int] = []
        for (index, status) in desired.enumerated() {
            if isPresent(status, in: existing[status.sha] ?? []) { outcomes[index] = .alreadyThere } else { toWrite.append(index) }
        }
        let written = await toWrite.concurrentMap(limit: concurrency) { index -> (Int, EnsureOutcome) in
            do {
                try await create(desired[index])
                return (index, .written)
            } catch let error as ForgeError {
                return (index, .failed(error))
            } catch {
                return (index, .failed(ForgeError(.unavailable, repository: repository.description, sha: desired[index].sha,
                                                  context: desired[index].context, message: "writing failed: \(error)")))
            }
        }
        for (index, outcome) in written { outcomes[index] = outcome }
        return zip(desired, outcomes).map { EnsureResult(status: $0, outcome: $1 ?? .alreadyThere) }
    }

    /// Whether the newest existing status with the same key already says what `status` says.
    ///
    /// A pending or running status that is already pending or running counts as present whatever
    /// its description: GitLab refuses to repeat those states ("Cannot transition status").
    public func isPresent(_ status: CommitStatus, in existing: [CommitStatus]) -> Bool {
        let key = statusKey(forContext: status.context)
        // Reads return statuses newest first, so the first with this key is the current one.
        guard let current = existing.first(where: { $0.forgeKey == key }) else {
            return false
        }
        let wanted = forgeState(for: status.state)
        guard current.forgeState == wanted else { return false }
        if status.state == .pending || status.state == .running { return true }
        return current.description == storedDescription(status.description)
    }
}

extension Array where Element: Sendable {
    /// Maps with at most `limit` tasks in flight; results in no particular order.
    public func concurrentMap<T: Sendable>(limit: Int, _ body: @escaping @Sendable (Element) async -> T) async -> [T] {
        await withTaskGroup(of: T.self) { group in
            var results: [T] = []
            results.reserveCapacity(count)
            var iterator = makeIterator()
            for _ in 0..<Swift.max(1, limit) {
                guard let next = iterator.next() else { break }
                group.addTask { await body(next) }
            }
            while let result = await group.next() {
                results.append(result)
                if let next = iterator.next() { group.addTask { await body(next) } }
            }
            return results
        }
    }
}

extension Array where Element: Sendable {
    /// Maps with at most `limit` tasks in flight, stopping at the first error; results in no
    /// particular order.
    func concurrentMapThrowing<T: Sendable>(limit: Int, _ body: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            var results: [T] = []
            results.reserveCapacity(count)
            var iterator = makeIterator()
            for _ in 0..<Swift.max(1, limit) {
                guard let next = iterator.next() else { break }
                group.addTask { try await body(next) }
            }
            while let result = try await group.next() {
                results.append(result)
                if let next = iterator.next() { group.addTask { try await body(next) } }
            }
            return results
        }
    }
}
