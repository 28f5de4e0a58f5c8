import FluxstampTesting
import Foundation
import Testing

/// The built `fluxstamp history` binary on real repositories, checked against git.
@Suite struct HistoryCommandTests {
    struct Entry: Decodable, Equatable {
        var sha: String
        var time: String
        var subject: String
        var paths: [String]
    }

    func fluxstamp(_ arguments: String...) throws -> CommandResult {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        return try runCommand(binary, arguments)
    }

    func fleet() throws -> GitFixture {
        let repo = try GitFixture(name: "cli")
        try repo.commit("layout", ["apps/production/a.yaml": "1", "apps/staging/a.yaml": "1", "README.md": "x"])
        try repo.commit("stage it", ["apps/staging/a.yaml": "2"])
        try repo.commit("docs", ["README.md": "y"])
        try repo.commit("ship it", ["apps/production/a.yaml": "2", "apps/staging/a.yaml": "3"])
        return repo
    }

    @Test("--json lists every first-parent commit with the paths it touched, as given")
    func json() throws {
        let repo = try fleet()
        let result = try fluxstamp("history", "--repo", repo.path, "--path", "./apps/production/", "--path", "apps/staging", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try JSONDecoder().decode([Entry].self, from: Data(result.stdout.utf8))
        #expect(entries.map(\.sha) == (try repo.revList("--first-parent", "HEAD")))
        #expect(entries.map(\.subject) == ["ship it", "docs", "stage it", "layout"])
        #expect(
            entries.map(\.paths) == [
                ["./apps/production/", "apps/staging"], [], ["apps/staging"], ["./apps/production/", "apps/staging"],
            ])
        #expect(entries.first?.time.hasSuffix("Z") == true)
    }

    @Test("--json says what git log says: sha, committer time, author, subject (escaped, slashes as they are)")
    func jsonAgreesWithGitLog() throws {
        let repo = try fleet()
        try repo.commit("fix \"quoted\" apps/production\\path\ttab", ["apps/production/a.yaml": "3"])
        let result = try fluxstamp("history", "--repo", repo.path, "--path", "apps/production", "--touching", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\\/"))
        struct Full: Decodable { var sha: String; var time: String; var author: String; var subject: String; var paths: [String] }
        let entries = try JSONDecoder().decode([Full].self, from: Data(result.stdout.utf8))
        let log = try repo.git("log", "--first-parent", "--format=%H%x00%ct%x00%an%x00%s", "--", "apps/production")
            .split(separator: "\n").map { $0.split(separator: "\0", omittingEmptySubsequences: false).map(String.init) }
        #expect(entries.map(\.sha) == log.map { $0[0] })
        let style = Date.ISO8601FormatStyle(timeZone: .gmt)
        #expect(entries.map(\.time) == log.map { Date(timeIntervalSince1970: TimeInterval(Int($0[1])!)).formatted(style) })
        #expect(entries.map(\.author) == log.map { $0[2] })
        #expect(entries.map(\.subject) == log.map { $0[3] })
        #expect(entries.first?.subject == "fix \"quoted\" apps/production\\path\ttab")
        #expect(entries.allSatisfy { $0.paths == ["apps/production"] })
        // The table shows the same commits, newest first, with minutes-precision UTC times.
        let table = try fluxstamp("history", "--repo", repo.path, "--path", "apps/production", "--touching")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == entries.count)
        let minutes = entries[0].time.prefix(16).replacingOccurrences(of: "T", with: " ")
        #expect(lines.first?.hasPrefix("\(entries[0].sha.prefix(7))  \(minutes)  fix") == true)
    }

    @Test("no commits: an empty JSON array, and the table says so")
    func empty() throws {
        let repo = try fleet()
        let json = try fluxstamp("history", "--repo", repo.path, "--path", "nowhere", "--touching", "--json")
        #expect(try JSONDecoder().decode([Entry].self, from: Data(json.stdout.utf8)).isEmpty)
        let table = try fluxstamp("history", "--repo", repo.path, "--path", "nowhere", "--touching")
        #expect(table.stdout == "no commits\n")
    }

    @Test("--touching and --limit narrow the table")
    func table() throws {
        let repo = try fleet()
        let result = try fluxstamp("history", "--repo", repo.path, "--path", "apps/staging", "--touching", "--limit", "2")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("ship it") && lines[0].contains("[apps/staging]"))
        #expect(lines[1].contains("stage it"))
    }

    @Test("--between A B lists what a deployment of B carried after A, Flux revisions accepted")
    func between() throws {
        let repo = try fleet()
        let chain = try repo.revList("--first-parent", "HEAD")
        let result = try fluxstamp("history", "--repo", repo.path, "--between", "main@sha1:\(chain[3])", chain[0], "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try JSONDecoder().decode([Entry].self, from: Data(result.stdout.utf8))
        #expect(entries.map(\.sha) == Array(chain.prefix(3)))
    }

    @Test("a URL is mirrored into --cache-dir; the second run fetches nothing")
    func mirror() throws {
        let repo = try fleet()
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("fluxstamp-cli-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let first = try fluxstamp("history", "--repo", "file://\(repo.path)", "--cache-dir", cache, "--limit", "1")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("cloned"))
        #expect(first.stdout.contains("ship it"))
        let second = try fluxstamp("history", "--repo", "file://\(repo.path)", "--cache-dir", cache, "--limit", "1")
        #expect(second.stderr.contains("fetched") && second.stderr.contains("(0 objects received)"))
    }

    @Test(
        "bad input: one clear line on stderr and the documented exit code",
        arguments: [
            (["history", "--repo", "/nonexistent/fluxstamp"], Int32(2), "/nonexistent/fluxstamp"),
            (["history", "--repo", ".", "--ref", "0000000000000000000000000000000000000bad"], Int32(1), "no such commit"),
            (["history", "--repo", ".", "--between", "latest@sha256:" + String(repeating: "a", count: 64), "HEAD"], Int32(2), "sha256"),
            (["history", "--repo", ".", "--since", "last tuesday"], Int32(2), "--since"),
            (["history", "--bogus"], Int32(2), "--repo"),
            (["sync", "--max-writes", "lots"], Int32(2), "lots"),
        ])
    func badInput(arguments: [String], status: Int32, fragment: String) throws {
        let repo = try fleet()
        let binary = try #require(BuiltProduct.url())
        let result = try runCommand(binary, arguments, currentDirectory: repo.directory)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
