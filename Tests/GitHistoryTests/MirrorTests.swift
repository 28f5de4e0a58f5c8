import Foundation
import FluxstampTesting
import GitHistory
import RepositoryAddress
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
        try updated.walkFirstParent(from: try updated.resolve("main"), paths: ["apps"]) { walked.append($0.id.hex); return $0.touched == [0] }
        #expect(walked == [second, first])
        // The branch deleted upstream is pruned from the mirror.
        #expect((#expect(throws: GitError.self) { try updated.resolve("release") })?.kind == .notFound)
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
        for credentials in [GitCredentials.userPassword(username: "git", password: secret), .bearerToken(secret),
                            .sshKey(username: "git", privateKeyPath: "/k", passphrase: secret, knownHosts: nil)] {
            #expect(!"\(credentials)".contains(secret))
            #expect(!String(reflecting: credentials).contains(secret))
        }
    }

    @Test("known_hosts: plain and [host]:port entries match their key only")
    func knownHosts() {
        let key: [UInt8] = Array("ssh-ed25519-key-bytes".utf8)
        let other: [UInt8] = Array("another-key".utf8)
        let b64 = Data(key).base64EncodedString()
        let hosts = KnownHosts("""
        # comment
        github.com,140.82.121.4 ssh-ed25519 \(b64)
        [git.example.com]:2222 ssh-ed25519 \(b64)
        |1|hashed|entry ssh-ed25519 \(b64)
        broken line
        """)
        #expect(hosts.accepts(host: "github.com", key: key))
        #expect(hosts.accepts(host: "GitHub.com", key: key))
        #expect(!hosts.accepts(host: "github.com", key: other))
        #expect(hosts.accepts(host: "git.example.com", port: 2222, key: key))
        #expect(!hosts.accepts(host: "git.example.com", key: key))
        #expect(!hosts.accepts(host: "gitlab.com", key: key))
    }

    @Test("URL normalisation", arguments: [
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
