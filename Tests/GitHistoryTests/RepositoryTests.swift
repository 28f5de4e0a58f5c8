import FluxstampTesting
import Foundation
import GitHistory
import Testing

@Suite struct RepositoryTests {
    @Test("commit facts: sha, parents, author, times, subject")
    func commitFacts() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first commit\n\nwith a body", ["a": "1"])
        let second = try fixture.commit("second", ["a": "2"])
        let repository = try Repository.open(at: fixture.path)
        let commit = try repository.commit(second)
        #expect(commit.sha == second)
        #expect(commit.parents.map(\.hex) == [first])
        #expect(commit.authorName == "Fixture Author")
        #expect(commit.authorEmail == "author@example.com")
        #expect(commit.subject == "second")
        #expect(commit.committerTime == Date(timeIntervalSince1970: TimeInterval(fixture.clock)))
        #expect(try repository.commit(first).subject == "first commit")
        #expect(try repository.commit(first).parents.isEmpty)
    }

    @Test("abbreviated shas, refs and HEAD resolve to the same commit")
    func resolveForms() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("only", ["a": "1"])
        try fixture.git("tag", "v1.0.0")
        let repository = try Repository.open(at: fixture.path)
        for spec in [sha, String(sha.prefix(7)), String(sha.prefix(4)), sha.uppercased(), "main", "refs/heads/main", "HEAD", "v1.0.0"] {
            #expect(try repository.resolve(spec).hex == sha, "\(spec)")
        }
    }

    @Test("an unknown sha is a clear not-found error naming it")
    func unknownSHA() throws {
        let fixture = try GitFixture()
        try fixture.commit("only", ["a": "1"])
        let repository = try Repository.open(at: fixture.path)
        let missing = String(repeating: "ab", count: 20)
        let error = #expect(throws: GitError.self) { try repository.commit(missing) }
        #expect(error?.kind == .notFound)
        #expect(error?.description.contains(missing) == true)
        #expect(repository.hasCommit(ObjectID(hex: missing)!) == false)
        #expect((#expect(throws: GitError.self) { try repository.resolve("no-such-branch") })?.kind == .notFound)
    }

    @Test("an ambiguous abbreviated sha says so")
    func ambiguousSHA() throws {
        let fixture = try GitFixture()
        try fixture.commit("only", ["a": "1"])
        // Write 1,000 blobs: with 65,536 four-digit prefixes a shared prefix is all but certain,
        // and the contents are fixed, so the outcome is the same on every run.
        let blobs = (0..<1000).map { "blob \($0)\n" }
        let dir = fixture.directory.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var names: [String] = []
        for (i, text) in blobs.enumerated() {
            let url = dir.appendingPathComponent("\(i)")
            try Data(text.utf8).write(to: url)
            names.append(url.path)
        }
        try Data(names.joined(separator: "\n").utf8).write(to: fixture.directory.appendingPathComponent("list"))
        let ids = try shell("git hash-object -w --stdin-paths < list", in: fixture.directory).stdout.split(separator: "\n")
        var seen: [Substring: Int] = [:]
        for id in ids { seen[id.prefix(4), default: 0] += 1 }
        let prefix = try #require(seen.first { $0.value > 1 }?.key)
        let repository = try Repository.open(at: fixture.path)
        let error = #expect(throws: GitError.self) { try repository.commit(String(prefix)) }
        #expect(error?.kind == .ambiguous)
        #expect(error?.description.contains("more than one") == true)
    }

    @Test("a path that is not a repository is a clear error, not a crash")
    func notARepository() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxstamp-empty-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: GitError.self) { try Repository.open(at: dir.path) }
        #expect(error?.kind == .notARepository)
        #expect(error?.description.contains(dir.path) == true)
        let missing = #expect(throws: GitError.self) { try Repository.open(at: dir.path + "/nope") }
        #expect(missing?.kind == .notARepository)
    }

    @Test("a corrupt tree object gives an error naming the operation and the object")
    func corruptObject() throws {
        let fixture = try GitFixture()
        try fixture.commit("one", ["apps/a/x.yaml": "1"])
        try fixture.commit("two", ["apps/a/x.yaml": "2"])
        try fixture.commit("three", ["apps/a/x.yaml": "3"])
        // Overwrite the loose object of HEAD~1's apps tree with junk.
        let tree = try fixture.git("rev-parse", "HEAD~1:apps")
        let object = fixture.directory.appendingPathComponent(".git/objects/\(tree.prefix(2))/\(tree.dropFirst(2))")
        try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object.path)
        try Data("this is not zlib".utf8).write(to: object)
        let repository = try Repository.open(at: fixture.path)
        let head = try repository.resolve("HEAD")
        let error = #expect(throws: GitError.self) {
            try repository.walkFirstParent(from: head, paths: ["apps/a"]) { _ in true }
        }
        #expect(error?.description.contains("read tree \(tree)") == true)
        #expect(error?.message.isEmpty == false)
        // The commits themselves are intact, so a walk without paths still works.
        var count = 0
        try repository.walkFirstParent(from: head) { _ in
            count += 1; return true
        }
        #expect(count == 3)
    }

    @Test("a damaged commit-graph file is ignored, never a crash; walks still agree with git")
    func damagedCommitGraph() throws {
        let fixture = try GitFixture()
        try fixture.commit("one", ["apps/a.yaml": "1"])
        try fixture.commit("two", ["docs/readme": "x"])
        try fixture.commit("three", ["apps/a.yaml": "2"])
        try fixture.git("commit-graph", "write", "--reachable")
        let graph = fixture.directory.appendingPathComponent(".git/objects/info/commit-graph")
        try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: graph.path)
        var bytes = [UInt8](try Data(contentsOf: graph))
        // The first chunk's 8-byte offset (after the 8-byte header and a 4-byte chunk id): far past Int.max.
        for (i, byte) in [0x80, 0, 0, 0, 0, 0, 0, 0x10].enumerated() { bytes[12 + i] = UInt8(byte) }
        try Data(bytes).write(to: graph)
        let repository = try Repository.open(at: fixture.path)
        var touching: [String] = []
        try repository.walkFirstParent(from: try repository.resolve("HEAD"), paths: ["apps"]) { walked in
            if !walked.touched.isEmpty { touching.append(walked.id.hex) }
            return true
        }
        #expect(touching == (try fixture.revList("--first-parent", "HEAD", "--", "apps")))
    }
}
