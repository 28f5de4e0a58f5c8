import Foundation
import GitHistory

/// `git-paths REPO PATH…`: the per-path touch map of HEAD's first-parent chain, as sync builds
/// it. Prints `commits=… touching=… per-path=…` for scripts/bench to compare with git rev-list.
enum GitBench {
    static func run(_ arguments: [String]) throws {
        guard let repoPath = arguments.first, arguments.count > 1 else {
            throw BenchUsage(text: "git-paths REPO PATH…")
        }
        let paths = Array(arguments.dropFirst())
        let repository = try Repository.open(at: repoPath)
        let head = try repository.resolve("HEAD")
        var commits = 0, touching = 0
        var perPath = [Int](repeating: 0, count: paths.count)
        try repository.walkFirstParent(from: head, paths: paths) { walked in
            commits += 1
            if !walked.touched.isEmpty { touching += 1 }
            for index in walked.touched { perPath[index] += 1 }
            return true
        }
        print("commits=\(commits) touching=\(touching) per-path=\(perPath.map(String.init).joined(separator: ","))")
    }
}

struct BenchUsage: Error, CustomStringConvertible {
    var text: String
    var description: String { "usage: fluxstamp-bench \(text)" }
}
