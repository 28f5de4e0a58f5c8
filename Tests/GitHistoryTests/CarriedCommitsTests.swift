import FluxstampTesting
import Foundation
import GitHistory
import Testing

/// `carriedCommits(for:)` must list exactly what `git rev-list --first-parent A..B -- PATH` lists
/// (without B), for every kind of range, in one call.
@Suite struct CarriedCommitsTests {
    /// Whether and when the fixture gets a commit-graph.
    enum Graph: CaseIterable, Sendable { case none, complete, stale }

    /// Named commits of the fixture.
    struct Fleet {
        var repo: GitFixture
        var commits: [String: String]
    }

    /// Main with merges (a two-commit feature, a hotfix, an octopus of two branches), a file made
    /// executable, an empty commit, a branch made after the octopus (`later`) and an old branch
    /// never merged (`old`), whose commits are not ancestors of main.
    static func fleet(graph: Graph) throws -> Fleet {
        let repo = try GitFixture(name: "carried")
        var c: [String: String] = [:]
        c["c1"] = try repo.commit("layout", ["apps/a/x": "1", "apps/b/x": "1", "infra/x": "1", "README.md": "1"])
        try repo.git("branch", "old")
        c["c2"] = try repo.commit("a", ["apps/a/x": "2"])
        try repo.git("checkout", "-q", "-b", "feature")
        c["f1"] = try repo.commit("feature b", ["apps/b/x": "2"])
        c["f2"] = try repo.commit("feature infra", ["infra/x": "2"])
        try repo.git("checkout", "-q", "main")
        c["c3"] = try repo.commit("readme", ["README.md": "2"])
        c["m1"] = try repo.merge("feature", message: "merge feature")
        c["c4"] = try repo.commit("deeper", ["apps/a/deeper/y": "1"])
        try repo.git("checkout", "-q", "-b", "hotfix")
        c["h1"] = try repo.commit("hotfix a", ["apps/a/x": "3"])
        try repo.git("checkout", "-q", "main")
        c["c5"] = try repo.commit("infra", ["infra/x": "3"])
        c["m2"] = try repo.merge("hotfix", message: "merge hotfix")
        if graph == .stale { try repo.git("commit-graph", "write", "--reachable") }
        try repo.git("checkout", "-q", "-b", "p1")
        c["p1"] = try repo.commit("octopus b", ["apps/b/x": "3"])
        try repo.git("checkout", "-q", "-b", "p2", "main")
        c["p2"] = try repo.commit("octopus infra", ["infra/x": "4"])
        try repo.git("checkout", "-q", "main")
        c["c6"] = try repo.commit("readme again", ["README.md": "3"])
        try repo.git("merge", "-q", "--no-ff", "-m", "octopus", "p1", "p2")
        c["m3"] = try repo.git("rev-parse", "HEAD")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/apps/a/x")
        c["c7"] = try repo.commit("make a executable")
        try repo.git("checkout", "-q", "-b", "later")
        c["l1"] = try repo.commit("later b", ["apps/b/x": "4"])
        try repo.git("checkout", "-q", "main")
        c["c8"] = try repo.commit("empty")
        c["c9"] = try repo.commit("b", ["apps/b/x": "5"])
        try repo.git("checkout", "-q", "old")
        c["o1"] = try repo.commit("old a", ["apps/a/x": "9"])
        try repo.git("checkout", "-q", "main")
        if graph == .complete { try repo.git("commit-graph", "write", "--reachable") }
        return Fleet(repo: repo, commits: c)
    }

    static let paths: [String?] = [nil, "apps", "./apps/a/", "apps/a/x", "apps/a/deeper", "infra", "README.md", "", "nope"]

    /// What git lists for the range, without `to`.
    func expected(_ range: CarriedRange, in repo: GitFixture) throws -> [String] {
        var arguments = ["--first-parent", "\(range.from.hex)..\(range.to.hex)"]
        if let path = range.path { arguments += ["--", path.isEmpty ? "." : path] }
        return try repo.git(["rev-list"] + arguments).split(separator: "\n").map(String.init).filter { $0 != range.to.hex }
    }

    func ranges(_ fleet: Fleet, tos: [String]) throws -> [CarriedRange] {
        var ranges: [CarriedRange] = []
        for (i, to) in tos.enumerated() {
            for (j, from) in fleet.commits.keys.sorted().enumerated() {
                let path = Self.paths[(i + j) % Self.paths.count]
                ranges.append(CarriedRange(from: ObjectID(hex: fleet.commits[from]!)!, to: ObjectID(hex: fleet.commits[to]!)!, path: path))
            }
        }
        return ranges
    }

    @Test(
        "every range agrees with git rev-list: merges, side-branch and unrelated froms, nested paths",
        arguments: Graph.allCases)
    func agreesWithGit(graph: Graph) throws {
        let fleet = try Self.fleet(graph: graph)
        let tos = ["c9", "c7", "m3", "m2", "m1", "c1", "f2", "h1", "l1", "o1"]
        let ranges = try ranges(fleet, tos: tos)
        #expect(ranges.count >= 50)
        let repository = try Repository.open(at: fleet.repo.path)
        let answer = try repository.carriedCommits(for: ranges)
        for range in ranges {
            let from = fleet.commits.first { $0.value == range.from.hex }!.key
            let name = "\(from)..\(fleet.commits.first { $0.value == range.to.hex }!.key)"
            #expect(answer[range].map(\.id.hex) == (try expected(range, in: fleet.repo)), "\(name) -- \(range.path ?? "(all)")")
        }
        // Times are the committer times git reports.
        let all = CarriedRange(from: ObjectID(hex: fleet.commits["c1"]!)!, to: ObjectID(hex: fleet.commits["c9"]!)!)
        let carried = try repository.carriedCommits(for: [all])[all]
        #expect(carried.count == 10)
        for commit in carried {
            #expect(commit.committerTime == Int64(try fleet.repo.git("log", "-1", "--format=%ct", commit.id.hex)))
        }
    }

    @Test("ranges whose deployments lie on one chain share one walk, with the commit-graph deciding ancestry")
    func oneWalkPerChain() throws {
        let fleet = try Self.fleet(graph: .complete)
        let ranges = try ranges(fleet, tos: ["c9", "c8", "c7", "m3", "m2", "c4", "m1", "c2"])
        let repository = try Repository.open(at: fleet.repo.path)
        let answer = try repository.carriedCommits(for: ranges)
        #expect(answer.walks == 1)
        for range in ranges {
            #expect(answer[range].map(\.id.hex) == (try expected(range, in: fleet.repo)))
        }
        // A deployment off main's chain needs a second walk.
        let off = CarriedRange(from: ObjectID(hex: fleet.commits["c1"]!)!, to: ObjectID(hex: fleet.commits["o1"]!)!)
        #expect(try repository.carriedCommits(for: ranges + [off]).walks == 2)
    }

    @Test("the async variant answers the same, off the cooperative pool")
    func asyncVariant() async throws {
        let fleet = try Self.fleet(graph: .complete)
        let ranges = try ranges(fleet, tos: ["c9", "l1"])
        let repository = try await Repository.openAsync(at: fleet.repo.path)
        let viaAsync = try await repository.carriedCommits(for: ranges)
        let viaSync = try Self.answer(repository, ranges)
        #expect(viaAsync.commits == viaSync.commits)
        #expect(viaAsync.commits.values.contains { !$0.isEmpty })
        let head = try await repository.withRepository { try $0.resolve("HEAD") }
        #expect(head.hex == fleet.commits["c9"])
    }

    /// The synchronous API (in async code the compiler picks the async overload).
    static func answer(_ repository: Repository, _ ranges: [CarriedRange]) throws -> CarriedCommits {
        try repository.carriedCommits(for: ranges)
    }

    @Test("an unknown endpoint or an escaping path is an error naming it")
    func badInput() throws {
        let fleet = try Self.fleet(graph: .none)
        let repository = try Repository.open(at: fleet.repo.path)
        let head = ObjectID(hex: fleet.commits["c9"]!)!
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        let unknown = #expect(throws: GitError.self) { try repository.carriedCommits(for: [CarriedRange(from: missing, to: head)]) }
        #expect(unknown?.kind == .notFound)
        #expect(unknown?.description.contains(missing.hex) == true)
        let escaping = #expect(throws: GitError.self) {
            try repository.carriedCommits(for: [CarriedRange(from: head, to: head, path: "../etc")])
        }
        #expect(escaping?.description.contains("../etc") == true)
        #expect(try repository.carriedCommits(for: []).commits.isEmpty)
    }
}
