import FluxstampTesting
import Foundation
import Kube
import Testing

/// `fluxstamp wait` end to end: the built binary polls the Kubernetes API emulator (over TLS)
/// while the test moves a Kustomization to a new revision, as Flux would.
@Suite(.serialized) struct WaitEndToEndTests {
    /// What one `fluxstamp wait` printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// c0 layout; c1…c6 change apps/; c7 changes infra/; c8 changes README.md only.
    static func world(apps: String, infra: String = "") async throws -> SyncWorld {
        try await SyncWorld { c in
            [
                SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[Int(apps)!], attempted: c[Int(apps)!]),
                SyncWorld.kustomization(
                    "infra", path: "./infra", ready: ("True", "ReconciliationSucceeded"), applied: c[Int(infra) ?? 0],
                    attempted: c[Int(infra) ?? 0]),
            ].joined(separator: "\n---\n")
        }
    }

    /// Runs `fluxstamp wait`; once it has read the cluster and said what it waits for (a `pending`
    /// line), runs `move` (the cluster changing under it), then waits for it to end.
    static func wait(
        _ world: SyncWorld, _ arguments: [String], move: (@Sendable () async throws -> Void)? = nil
    ) async throws -> Run {
        let binary = try #require(BuiltProduct.url())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["wait"] + arguments + ["--kubeconfig", world.kubeconfig.path, "--config", world.config.path]
        process.environment = ["HOME": "/nonexistent"]
        let name = UUID().uuidString
        let out = world.directory.appendingPathComponent("\(name).stdout"), err = world.directory.appendingPathComponent("\(name).stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.runSerialized()
        if let move {
            // Watch from a Dispatch thread (the emulators run on the cooperative pool).
            let waiting = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                DispatchQueue.global().async {
                    while process.isRunning {
                        if let text = try? String(contentsOf: err, encoding: .utf8), text.contains("pending:") { break }
                        usleep(5000)
                    }
                    continuation.resume(returning: process.isRunning)
                }
            }
            #expect(waiting, "the command ended before the cluster moved: \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
            try await move()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return Run(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func document(_ result: Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    static func entries(_ document: [String: Any]) -> [String: [String: Any]] {
        let list = document["kustomizations"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ("\($0["name"]!)", $0) })
    }

    @Test("apps becomes Ready at the commit while wait polls: exit 0, deployed at that revision")
    func deployed() async throws {
        let world = try await Self.world(apps: "5")
        defer { Task { await world.stop() } }
        let c = world.commits
        let result = try await Self.wait(world, [c[6], "--poll-interval", "100ms", "--json"]) {
            try await world.kube.store.load(
                yaml: SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6]))
        }
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.document(result)
        #expect(document["result"] as? String == "deployed")
        #expect(document["commit"] as? String == c[6])
        #expect(Self.entries(document)["apps"]?["revision"] as? String == "main@sha1:\(c[6])")
        #expect(result.stderr.contains("is deployed by flux-system/apps"), "\(result.stderr)")
    }

    @Test("Flux skips past the commit (applies a later revision that contains it): exit 0")
    func skippedPast() async throws {
        let world = try await Self.world(apps: "4")
        defer { Task { await world.stop() } }
        let c = world.commits
        let result = try await Self.wait(world, ["main@sha1:\(c[5])", "--poll-interval", "100ms", "--json"]) {
            try await world.kube.store.load(
                yaml: SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6]))
        }
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.document(result)
        #expect(document["result"] as? String == "deployed")
        #expect(Self.entries(document)["apps"]?["revision"] as? String == "main@sha1:\(c[6])", "the later revision that carried it")
    }

    @Test("apps fails its health check at a revision with the commit: exit 1 naming the Kustomization, reason and message")
    func failed() async throws {
        let world = try await Self.world(apps: "5")
        defer { Task { await world.stop() } }
        let c = world.commits
        let result = try await Self.wait(world, [String(c[6].prefix(10)), "--poll-interval", "100ms"]) {
            let yaml = SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("False", "HealthCheckFailed"), applied: c[5], attempted: c[6]
            )
            .replacingOccurrences(
                of: "message: \"HealthCheckFailed\"", with: "message: \"timeout waiting for: [Deployment/apps/web status: 'InProgress']\"")
            try await world.kube.store.load(yaml: yaml)
        }
        #expect(result.status == 1, "\(result.stderr)")
        let line = result.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") } ?? ""
        #expect(line.contains("flux-system/apps"), "\(result.stderr)")
        #expect(line.contains("HealthCheckFailed"), "\(result.stderr)")
        #expect(line.contains("Deployment/apps/web status: 'InProgress'"), "\(result.stderr)")
        #expect(line.contains(c[6]), "the failed revision is named: \(result.stderr)")
    }

    @Test("nothing moves: exit 1 after the timeout, saying which Kustomization is pending and where it stands")
    func timeout() async throws {
        let world = try await Self.world(apps: "5")
        defer { Task { await world.stop() } }
        let c = world.commits
        let result = try await Self.wait(world, [c[6], "--timeout", "1s", "--poll-interval", "200ms", "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: timed out after 1s waiting for flux-system/apps"), "\(result.stderr)")
        #expect(result.stderr.contains("Ready at main@sha1:\(c[5]), which does not include the commit"), "\(result.stderr)")
        let document = try Self.document(result)
        #expect(document["result"] as? String == "timeout")
        #expect(Self.entries(document)["apps"]?["state"] as? String == "pending")
    }

    @Test(
        "path-aware: a commit that touches only infra/ waits for infra alone; --all waits for apps too; a docs commit waits for nothing",
        arguments: [
            (7, [String](), 0, "deployed", ["infra"]),
            (7, ["--all"], 1, "timeout", ["apps", "infra"]),
            (8, [String](), 0, "nothing", [String]()),
        ])
    func pathAware(commit: Int, extra: [String], status: Int32, result: String, waited: [String]) async throws {
        // infra is Ready at c8 (which contains c7); apps at c5, which contains neither c7 nor c8.
        let world = try await Self.world(apps: "5", infra: "8")
        defer { Task { await world.stop() } }
        let run = try await Self.wait(world, [world.commits[commit], "--timeout", "1s", "--poll-interval", "200ms", "--json"] + extra)
        #expect(run.status == status, "\(run.stderr)")
        let document = try Self.document(run)
        #expect(document["result"] as? String == result)
        #expect(Self.entries(document).keys.sorted() == waited)
        if extra.isEmpty, commit == 7 {
            #expect(run.stderr.contains("not waiting for flux-system/apps: the commit does not touch its path apps"), "\(run.stderr)")
        }
    }

    @Test("a commit no repository has: exit 1 saying so; a malformed argument: exit 2")
    func unknownCommit() async throws {
        let world = try await Self.world(apps: "5")
        defer { Task { await world.stop() } }
        let missing = try await Self.wait(world, [String(repeating: "ab", count: 20), "--timeout", "1s"])
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("error: no commit abab"), "\(missing.stderr)")
        let bad = try await Self.wait(world, ["not-a-commit"])
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
