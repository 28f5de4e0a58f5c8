import FluxstampTesting
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

/// `git-carried REPO PATH…`: the intermediate ranges of a monorepo at scale, as sync's resolve
/// stage asks for them: 10 Kustomizations per path, each with 5 history snapshots spread over the
/// last 20,000 first-parent commits, so 4 ranges each. Answers them with one
/// `carriedCommits(for:)` call and with one `git rev-list --first-parent A..B -- PATH` per range,
/// measured in this run; prints both times, the walks performed and the commits listed, and
/// fails when any range differs from git's.
enum CarriedBench {
    static func run(_ arguments: [String]) throws {
        guard let repoPath = arguments.first, arguments.count > 1 else {
            throw BenchUsage(text: "git-carried REPO PATH…")
        }
        let paths = Array(arguments.dropFirst())
        let repository = try Repository.open(at: repoPath)
        var chain: [ObjectID] = []
        try repository.walkFirstParent(from: try repository.resolve("HEAD"), limits: WalkLimits(maxCount: 20_000)) {
            chain.append($0.id)
            return true
        }
        // A fixed linear congruential sequence: the same snapshots on every run.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var ranges: [CarriedRange] = []
        for path in paths {
            for _ in 0..<10 {
                let snapshots = (0..<5).map { _ in next(chain.count) }.sorted(by: >)  // oldest first
                for (older, newer) in zip(snapshots, snapshots.dropFirst()) where older != newer {
                    ranges.append(CarriedRange(from: chain[older], to: chain[newer], path: path))
                }
            }
        }
        let start = ContinuousClock.now
        let answer = try repository.carriedCommits(for: ranges)
        let ours = ContinuousClock.now - start
        let unique = Array(Set(ranges))
        let gitStart = ContinuousClock.now
        var gitCount = 0, differing = 0
        for range in unique {
            let listed = try git([
                "-C", repoPath, "rev-list", "--first-parent", "\(range.from.hex)..\(range.to.hex)", "--",
                range.path ?? ".",
            ]).filter { $0 != range.to.hex }
            gitCount += listed.count
            if listed != answer[range].map(\.id.hex) { differing += 1 }
        }
        let reference = ContinuousClock.now - gitStart
        let listed = unique.reduce(0) { $0 + answer[$1].count }
        let ratio = (ours / .milliseconds(1)) / (reference / .milliseconds(1))
        print(
            String(
                format: "ranges=%d walks=%d listed=%d git_listed=%d differing=%d ours_s=%.3f git_s=%.3f ratio=%.3f",
                unique.count, answer.walks, listed, gitCount, differing, ours / .milliseconds(1) / 1_000,
                reference / .milliseconds(1) / 1_000, ratio))
        if differing > 0 || listed != gitCount { throw BenchFailure(text: "\(differing) ranges differ from git rev-list") }
    }

    private static func git(_ arguments: [String]) throws -> [String] {
        let result = try runCommand(URL(fileURLWithPath: "/usr/bin/git"), arguments)
        guard result.status == 0 else { throw BenchFailure(text: "git \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

struct BenchUsage: Error, CustomStringConvertible {
    var text: String
    var description: String { "usage: fluxstamp-bench \(text)" }
}
