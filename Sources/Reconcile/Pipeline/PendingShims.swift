// TEMPORARY: stand-ins for APIs that the forges and git-speed branches add; deleted at merge.
import Forges
import Foundation
import GitHistory

typealias SecretValue = Forges.Secret

extension ForgeKind {
    func statusKey(forContext context: String) -> String {
        switch self {
        case .bitbucket, .bitbucketserver: return BitbucketKey.key(forContext: context)
        case .azuredevops: return "fluxcd/\(context)"
        default: return context.lowercased()
        }
    }

    func shows(_ wanted: CommitStatus, current: CommitStatus) -> Bool {
        current.state == wanted.state && current.description == wanted.description
    }
}

public struct CarriedRange: Hashable, Sendable {
    public var from: ObjectID
    public var to: ObjectID
    public var path: String?
    public init(from: ObjectID, to: ObjectID, path: String?) {
        self.from = from
        self.to = to
        self.path = path
    }
}

struct CarriedCommit: Sendable {
    var id: ObjectID
    var committerTime: Int64
}

extension Repository {
    func perform<T: Sendable>(_ body: @Sendable (Repository) throws -> T) async throws -> T { try body(self) }

    func carriedCommits(for ranges: [CarriedRange]) throws -> (walks: Int, commits: [CarriedRange: [CarriedCommit]]) {
        var result: [CarriedRange: [CarriedCommit]] = [:]
        for range in ranges {
            let carried = Set(try carried(after: range.from, upTo: range.to).map(\.id)).subtracting([range.to])
            var commits: [CarriedCommit] = []
            if !carried.isEmpty {
                try walkFirstParent(from: range.to, paths: [range.path ?? ""]) { walked in
                    if walked.id == range.to { return true }
                    guard carried.contains(walked.id) else { return false }
                    if !walked.touched.isEmpty { commits.append(CarriedCommit(id: walked.id, committerTime: walked.committerTime)) }
                    return true
                }
            }
            result[range] = commits
        }
        return (ranges.count, result)
    }
}
