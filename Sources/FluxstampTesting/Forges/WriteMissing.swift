import Forges

/// What `writeMissing` did with one desired status (tests and the benchmark; `sync` has its own
/// apply stage, which uses the same rule, `ForgeKind.shows(_:current:)`).
public enum WriteOutcome: Sendable {
    /// The forge already showed it: nothing was sent.
    case alreadyShown
    /// It was written.
    case written
    /// Reading or writing failed.
    case failed(ForgeError)

    /// Whether it was written.
    public var isWritten: Bool { if case .written = self { true } else { false } }
    /// Whether the forge already showed it.
    public var isAlreadyShown: Bool { if case .alreadyShown = self { true } else { false } }
    /// The failure, if any.
    public var error: ForgeError? { if case .failed(let error) = self { error } else { nil } }
}

extension CommitStatusForge {
    /// Reads the commits' statuses in bulk (with the contexts, which Bitbucket Data Center needs),
    /// keeps the desired statuses the forge does not already show (`ForgeKind.shows`), and creates
    /// those, `concurrency` at a time. Outcomes come back in the order given.
    public func writeMissing(_ desired: [CommitStatus], concurrency: Int = 8) async -> [WriteOutcome] {
        let existing: [String: [CommitStatus]]
        do {
            existing = try await statuses(of: Array(Set(desired.map(\.sha))).sorted(), contexts: Set(desired.map(\.context)))
        } catch {
            return desired.map { _ in .failed(Self.asForgeError(error, repository)) }
        }
        let kind = repository.kind
        var outcomes = [WriteOutcome](repeating: .alreadyShown, count: desired.count)
        let missing = desired.indices.filter { index in
            let wanted = desired[index]
            let key = statusKey(forContext: wanted.context)
            guard let current = existing[wanted.sha]?.first(where: { $0.forgeKey == key }) else { return true }
            return !kind.shows(wanted, current: current)
        }
        let written = await missing.concurrentMap(limit: concurrency) { index -> (Int, WriteOutcome) in
            do {
                try await create(desired[index])
                return (index, .written)
            } catch {
                return (index, .failed(Self.asForgeError(error, repository)))
            }
        }
        for (index, outcome) in written { outcomes[index] = outcome }
        return outcomes
    }

    private static func asForgeError(_ error: any Error, _ repository: ForgeRepository) -> ForgeError {
        error as? ForgeError ?? ForgeError(.invalidResponse, repository: repository.description, message: "\(error)")
    }
}
