import FluxstampTesting
import Foundation
import GitHistory
import Testing

/// Path touches must agree with git's own pathspec walk (`rev-list --first-parent -- PATH`).
@Suite struct PathTouchTests {
    /// Whether and when the fixture gets a commit-graph (`git gc` writes one).
    enum Graph: CaseIterable, Sendable { case none, complete, stale }

    /// A fleet repository with merges, renames, deletions and a file that becomes a directory.
    static func fleet(graph: Graph = .none) throws -> GitFixture {
        let repo = try GitFixture(name: "fleet")
        try repo.commit(
            "layout",
            [
                "apps/production/web/deploy.yaml": "replicas: 1",
                "apps/staging/web/deploy.yaml": "replicas: 1",
                "infrastructure/ingress/release.yaml": "v1",
                "README.md": "fleet",
            ])
        try repo.commit("scale production", ["apps/production/web/deploy.yaml": "replicas: 3"])
        try repo.commit("docs only", ["README.md": "fleet repository"])
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("staging tweak on a branch", ["apps/staging/web/deploy.yaml": "replicas: 2"])
        try repo.commit("ingress bump on a branch", ["infrastructure/ingress/release.yaml": "v2"])
        try repo.git("checkout", "-q", "main")
        try repo.commit("production tweak", ["apps/production/web/extra.yaml": "x: 1"])
        try repo.merge("feature", message: "merge feature")
        if graph == .stale { try repo.git("commit-graph", "write", "--reachable") }
        try repo.rename("apps/staging/web", to: "apps/staging/frontend", message: "rename staging web")
        try repo.rename("infrastructure/ingress", to: "infra/ingress", message: "move infrastructure")
        try repo.commit("delete production extra", ["apps/production/web/extra.yaml": nil])
        try repo.commit("notes file", ["notes": "a file"])
        try repo.commit("notes becomes a directory", ["notes": nil, "notes/today.md": "a directory"])
        try repo.commit("same content twice is no change", ["README.md": "fleet repository"])
        if graph == .complete { try repo.git("commit-graph", "write", "--reachable") }
        return repo
    }

    static let paths = [
        "apps/production/web", "./apps/staging/web/", "apps/staging/frontend", "apps/staging",
        "apps", "infrastructure/ingress", "infra", ".", "", "README.md", "notes", "notes/today.md",
        "does/not/exist", "apps/production/web/deploy.yaml",
    ]

    @Test(
        "every path agrees with git rev-list --first-parent, merges and renames included",
        arguments: Graph.allCases)
    func agreesWithGit(graph: Graph) throws {
        let fixture = try Self.fleet(graph: graph)
        #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/objects/info/commit-graph") == (graph != .none))
        let repository = try Repository.open(at: fixture.path)
        let head = try repository.resolve("HEAD")
        var touchedBy: [[String]] = Array(repeating: [], count: Self.paths.count)
        var chain: [String] = []
        try repository.walkFirstParent(from: head, paths: Self.paths) { walked in
            chain.append(walked.id.hex)
            for index in walked.touched { touchedBy[index].append(walked.id.hex) }
            return true
        }
        #expect(chain == (try fixture.revList("--first-parent", "HEAD")))
        for (index, path) in Self.paths.enumerated() {
            let pathspec = path.isEmpty ? "." : path
            let expected = try fixture.revList("--first-parent", "HEAD", "--", pathspec)
            #expect(touchedBy[index] == expected, "path \(path)")
        }
    }

    @Test("a merge counts as touching what it brought in from its second parent")
    func mergeTouches() throws {
        let fixture = try Self.fleet()
        let repository = try Repository.open(at: fixture.path)
        let merge = try fixture.git("rev-parse", "HEAD~6")
        #expect(try fixture.git("log", "-1", "--format=%s", merge) == "merge feature")
        var touched: [String] = []
        try repository.walkFirstParent(
            from: try repository.resolve(merge), paths: ["apps/staging", "infrastructure", "README.md"],
            limits: WalkLimits(maxCount: 1)
        ) { walked in
            touched = walked.touched.map { ["apps/staging", "infrastructure", "README.md"][$0] }
            return true
        }
        #expect(touched == ["apps/staging", "infrastructure"])
    }

    @Test("a rename touches both the old and the new path")
    func renameTouchesBoth() throws {
        let fixture = try Self.fleet()
        let repository = try Repository.open(at: fixture.path)
        let rename = try repository.resolve("HEAD~5")
        var touched: [Int] = []
        try repository.walkFirstParent(
            from: rename, paths: ["apps/staging/web", "apps/staging/frontend", "apps/production"],
            limits: WalkLimits(maxCount: 1)
        ) { walked in
            touched = walked.touched
            return true
        }
        #expect(touched == [0, 1])
    }

    @Test("walk limits: stop commit, since, max count", arguments: Graph.allCases)
    func limits(graph: Graph) throws {
        let fixture = try Self.fleet(graph: graph)
        let repository = try Repository.open(at: fixture.path)
        let chain = try fixture.revList("--first-parent", "HEAD")
        let head = try repository.resolve("HEAD")
        func walk(_ limits: WalkLimits) throws -> [String] {
            var seen: [String] = []
            try repository.walkFirstParent(from: head, limits: limits) {
                seen.append($0.id.hex); return true
            }
            return seen
        }
        #expect(try walk(WalkLimits(stopAt: ObjectID(hex: chain[3]))) == Array(chain.prefix(3)))
        #expect(try walk(WalkLimits(maxCount: 2)) == Array(chain.prefix(2)))
        let third = try repository.commit(chain[2])
        #expect(try walk(WalkLimits(since: third.committerTime)) == Array(chain.prefix(3)))
        #expect(try walk(WalkLimits()) == chain)
    }

    @Test("a path that leaves the repository is refused with a clear error")
    func escapingPath() throws {
        let fixture = try Self.fleet()
        let repository = try Repository.open(at: fixture.path)
        #expect(throws: GitError.self) {
            try repository.walkFirstParent(from: try repository.resolve("HEAD"), paths: ["../etc"]) { _ in true }
        }
    }

    @Test(
        "path normalisation",
        arguments: [
            ("./apps/x/", "apps/x"), ("apps//x", "apps/x"), (".", ""), ("", ""), ("./", ""), ("/apps/x", "apps/x"),
            ("apps/./x", "apps/x"),
        ])
    func normalise(input: String, expected: String) {
        #expect(RepoPath.normalise(input) == expected)
    }
}
