import FluxstampTesting
import Foundation
import GitHistory
import Logging
import RepositoryAddress
import Synchronization
import Testing

@Suite struct MirrorTests {
    func cacheDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fluxstamp-cache-\(UUID())").path
    }

    @Test("clone over file:// then fetch incrementally; an unchanged remote transfers nothing")
    func cloneAndFetch() throws {
        let upstream = try GitFixture(name: "upstream")
        let first = try upstream.commit("first", ["apps/a.yaml": "1"])
        try upstream.git("branch", "release")
        let cache = cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let url = "file://" + upstream.path

        let (mirror, cloned) = try Mirror.sync(url: url, cacheDirectory: cache)
        #expect(cloned.cloned)
        #expect(cloned.receivedObjects > 0)
        #expect(try mirror.resolve("main").hex == first)
        #expect(try mirror.resolve("HEAD").hex == first)

        let (_, again) = try Mirror.sync(url: url, cacheDirectory: cache)
        #expect(!again.cloned)
        #expect(again.receivedObjects == 0)
        #expect(again.receivedBytes == 0)

        let second = try upstream.commit("second", ["apps/a.yaml": "2"])
        try upstream.git("branch", "-D", "release")
        let (updated, fetched) = try Mirror.sync(url: url, cacheDirectory: cache)
        #expect(fetched.receivedObjects > 0)
        #expect(try updated.resolve("main").hex == second)
        #expect(try updated.commit(first).sha == first)
        // The mirror has a commit-graph that git itself accepts, and walks on it agree with git.
        #expect(FileManager.default.fileExists(atPath: updated.path + "/objects/info/commit-graph"))
        #expect(try shell("git commit-graph verify", in: URL(fileURLWithPath: updated.path)).status == 0)
        var walked: [String] = []
        try updated.walkFirstParent(from: try updated.resolve("main"), paths: ["apps"]) {
            walked.append($0.id.hex); return $0.touched == [0]
        }
        #expect(walked == [second, first])
        // The branch deleted upstream is pruned from the mirror.
        #expect((#expect(throws: GitError.self) { try updated.resolve("release") })?.kind == .notFound)
    }

    @Test("pack temporaries an interrupted clone left are removed when the mirror is next opened; fresh ones stay")
    func staleTemporaries() throws {
        let upstream = try GitFixture(name: "upstream")
        try upstream.commit("first", ["apps/a.yaml": "1"])
        let cache = cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let url = "file://" + upstream.path
        let (mirror, _) = try Mirror.sync(url: url, cacheDirectory: cache)
        let pack = mirror.path + "/objects/pack/"
        let stale = ["pack_git2_3f2a9c", "tmp_pack_XyZ123", "tmp_idx_AbC456"]
        let fresh = "pack_git2_inprogress"
        for name in stale + [fresh] {
            #expect(FileManager.default.createFile(atPath: pack + name, contents: Data("partial".utf8)))
        }
        let twoHoursAgo = Date().addingTimeInterval(-7_200)
        for name in stale {
            try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: pack + name)
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: pack).filter { $0.hasPrefix("pack-") }

        let (reopened, fetched) = try Mirror.sync(url: url, cacheDirectory: cache)
        #expect(!fetched.cloned)
        let after = try FileManager.default.contentsOfDirectory(atPath: pack)
        #expect(stale.allSatisfy { !after.contains($0) })
        #expect(after.contains(fresh))
        #expect(after.filter { $0.hasPrefix("pack-") } == before)  // real packs untouched
        #expect(try reopened.resolve("main").hex == (try upstream.git("rev-parse", "HEAD")))
    }

    @Test("clone and fetch are logged at info with the URL's credentials removed")
    func logging() async throws {
        let upstream = try GitFixture(name: "upstream")
        try upstream.commit("first", ["apps/a.yaml": "1"])
        let cache = cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let records = RecordedLog()
        var logger = Logger(label: "test", factory: { _ in RecordingLogHandler(records: records) })
        logger.logLevel = .debug
        let (mirror, result) = try await Mirror.syncAsync(url: "file://" + upstream.path, cacheDirectory: cache, logger: logger)
        #expect(result.cloned)
        #expect(try await mirror.withRepository { try $0.resolve("HEAD") }.hex == (try upstream.git("rev-parse", "HEAD")))
        let cloned = try #require(records.entries.first { $0.message == "cloned mirror" })
        #expect(cloned.level == .info)
        #expect(cloned.metadata["objects"] == "\(result.receivedObjects)")
        #expect(cloned.metadata["seconds"].flatMap(Double.init) != nil)
        #expect(Mirror.redacted("https://user:s3cret@example.com/org/repo.git") == "https://example.com/org/repo.git")
        #expect(Mirror.redacted("git@example.com:org/repo.git") == "git@example.com:org/repo.git")

        let failing = "https://user:s3cret@127.0.0.1:1/org/missing.git"
        await #expect(throws: GitError.self) {
            _ = try await Mirror.syncAsync(url: failing, cacheDirectory: cache, logger: logger)
        }
        let debug = records.entries.filter { $0.level == .debug }
        #expect(!debug.isEmpty)
        #expect(records.entries.allSatisfy { !"\($0.message) \($0.metadata)".contains("s3cret") })
    }

    @Test("equivalent URLs share one mirror directory")
    func sharedDirectory() {
        let a = Mirror.directory(for: "https://GitHub.com/org/fleet.git/", in: "/c")
        let b = Mirror.directory(for: "git@github.com:org/fleet", in: "/c")
        let c = Mirror.directory(for: "ssh://git@github.com/org/fleet.git", in: "/c")
        let other = Mirror.directory(for: "https://github.com/org/fleet-two", in: "/c")
        #expect(a == b && b == c)
        #expect(a != other)
    }

    @Test("a remote that does not exist fails with the URL and libgit2's message, and leaves no mirror")
    func missingRemote() throws {
        let cache = cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let url = "file:///nonexistent/fluxstamp/repo"
        let error = #expect(throws: GitError.self) { try Mirror.sync(url: url, cacheDirectory: cache) }
        #expect(error?.description.contains(url) == true)
        #expect(!FileManager.default.fileExists(atPath: Mirror.directory(for: url, in: cache)))
    }

    @Test("credentials never show their secret")
    func redaction() {
        let secret = "s3cr3t-token-value"
        for credentials in [
            GitCredentials.userPassword(username: "git", password: secret), .bearerToken(secret),
            .sshKey(username: "git", privateKeyPath: "/k", passphrase: secret, knownHosts: nil),
        ] {
            #expect(!"\(credentials)".contains(secret))
            #expect(!String(reflecting: credentials).contains(secret))
        }
    }

    @Test("known_hosts: plain and [host]:port entries match their key only")
    func knownHosts() {
        let key: [UInt8] = Array("ssh-ed25519-key-bytes".utf8)
        let other: [UInt8] = Array("another-key".utf8)
        let b64 = Data(key).base64EncodedString()
        let hosts = KnownHosts(
            """
            # comment
            github.com,140.82.121.4 ssh-ed25519 \(b64)
            [git.example.com]:2222 ssh-ed25519 \(b64)
            |1|hashed|entry ssh-ed25519 \(b64)
            @cert-authority gitlab.com ssh-ed25519 \(b64)
            @revoked gitea.com ssh-ed25519 \(b64)
            broken line
            """)
        #expect(hosts.accepts(host: "github.com", key: key))
        #expect(hosts.accepts(host: "GitHub.com", key: key))
        #expect(!hosts.accepts(host: "github.com", key: other))
        #expect(hosts.accepts(host: "git.example.com", port: 2222, key: key))
        #expect(!hosts.accepts(host: "git.example.com", key: key))
        #expect(!hosts.accepts(host: "gitlab.com", key: key), "a CA key is not a host key")
        #expect(!hosts.accepts(host: "gitea.com", key: key), "a revoked key is never accepted")
    }

    @Test("known_hosts hashed by OpenSSH (ssh-keygen -H), wildcards and negations match as ssh reads them")
    func hashedKnownHosts() throws {
        let key: [UInt8] = Array("ssh-ed25519-key-bytes".utf8)
        let b64 = Data(key).base64EncodedString()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("known-hosts-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("known_hosts")
        let plain = "github.com ssh-ed25519 \(b64)\n[git.example.com]:2222 ssh-ed25519 \(b64)\n"
        try plain.write(to: file, atomically: true, encoding: .utf8)
        // OpenSSH's own hashing is the reference: the file it writes must be read as it reads it.
        let hashing = try shell("ssh-keygen -H -f known_hosts", in: dir)
        #expect(hashing.status == 0, "\(hashing.stderr)")
        let hashed = try String(contentsOf: file, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|") && !hashed.contains("github.com"), "\(hashed)")
        let hosts = KnownHosts(hashed)
        #expect(hosts.accepts(host: "github.com", key: key))
        #expect(hosts.accepts(host: "GitHub.com", key: key))
        #expect(hosts.accepts(host: "git.example.com", port: 2222, key: key))
        #expect(!hosts.accepts(host: "git.example.com", key: key))
        #expect(!hosts.accepts(host: "gitlab.com", key: key))
        #expect(!hosts.accepts(host: "github.com", key: Array("another-key".utf8)))
        let line = "*.corp.example,!evil.corp.example,git?.example ssh-ed25519 \(b64)"
        try (line + "\n").write(to: dir.appendingPathComponent("patterns"), atomically: true, encoding: .utf8)
        let patterns = KnownHosts(line)
        for name in ["git.corp.example", "ci.corp.example", "evil.corp.example", "corp.example", "gitx.example", "git.example"] {
            let lookup = try shell("ssh-keygen -F \(name) -f patterns", in: dir)
            #expect(patterns.accepts(host: name, key: key) == (lookup.status == 0), "\(name): ssh-keygen -F exits \(lookup.status)")
        }
    }

    @Test(
        "URL normalisation",
        arguments: [
            ("https://github.com/org/repo.git", "https://github.com/org/repo"),
            ("HTTPS://GitHub.COM/org/repo/", "https://github.com/org/repo"),
            ("ssh://git@github.com/org/repo.git", "https://github.com/org/repo"),
            ("git@gitlab.com:group/sub/repo.git", "https://gitlab.com/group/sub/repo"),
            ("http://127.0.0.1:8080/org/repo", "https://127.0.0.1:8080/org/repo"),
            ("https://dev.azure.com/org/project/_git/repo", "https://dev.azure.com/org/project/_git/repo"),
        ])
    func normalise(input: String, expected: String) {
        #expect(RepositoryAddress.key(input) == expected)
    }
}

/// Log records kept in memory for assertions.
final class RecordedLog: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Entry]>([])

    var entries: [Entry] { storage.withLock { $0 } }

    func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }
}

/// A LogHandler that records into a `RecordedLog`.
struct RecordingLogHandler: LogHandler {
    let records: RecordedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in event.metadata ?? [:] { flat[key] = "\(value)" }
        records.append(RecordedLog.Entry(level: event.level, message: "\(event.message)", metadata: flat))
    }
}

