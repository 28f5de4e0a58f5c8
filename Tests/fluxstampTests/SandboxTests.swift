import FluxstampTesting
import Foundation
import GitHistory
import Kube
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The sandbox the demo and the end-to-end tests run on: its world is real (revisions are commits
/// of the generated repository, fixtures match the Flux CRDs) and the real binary can talk to it.
@Suite(.serialized) struct SandboxTests {
    /// Starts a default sandbox in a fresh directory, runs `body`, stops it and removes the directory.
    func withSandbox(scale: Sandbox.Scale? = nil, _ body: (Sandbox) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-" + UUID().uuidString.prefix(8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let sandbox = try await Sandbox.start(directory: dir, scale: scale)
        do { try await body(sandbox) } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// git in a repository, off the cooperative pool.
    func git(_ repository: SandboxRepository, _ arguments: String...) async throws -> [String] {
        try await Sandbox.offPool { try repository.git(arguments) }.split(separator: "\n").map(String.init)
    }

    /// A GET on the GitHub emulator with the sandbox's token: status code and JSON body.
    func githubGET(_ sandbox: Sandbox, _ path: String, token: String? = nil) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: sandbox.githubAPIBaseURL + path)!)
        request.setValue("token \(token ?? sandbox.world.githubToken)", forHTTPHeaderField: "Authorization")
        let (data, code): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            }.resume()
        }
        return (code, try? JSONSerialization.jsonObject(with: data))
    }

    @Test func writesItsFilesAndAFleetWithARealHistory() async throws {
        try await withSandbox { sandbox in
            let config = try String(contentsOf: sandbox.configURL, encoding: .utf8)
            #expect(config.contains("clusterName: sandbox"))
            #expect(config.contains("apiBaseURL: \"\(sandbox.github.baseURL)/api/v3\""))
            #expect(config.contains("url: \"https://github.com/acme/fleet\""))
            #expect(config.contains("path: \"\(sandbox.fleet.path)\""))
            #expect(sandbox.fleet.path == sandbox.directory.appendingPathComponent("fleet").path)
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sandbox.manifestURL)) as? [String: Any])
            #expect(manifest["githubAPIBaseURL"] as? String == sandbox.githubAPIBaseURL)
            #expect(manifest["kubeAPI"] as? String == sandbox.kube.url)
            #expect((manifest["kustomizations"] as? [Any])?.count == 4)
            let kubeconfig = try String(contentsOf: sandbox.kubeconfigURL, encoding: .utf8)
            #expect(kubeconfig.contains("server: \(sandbox.kube.url)"))

            let firstParent = try await git(sandbox.fleet, "rev-list", "--first-parent", "main")
            #expect(firstParent.count == 40)
            #expect(try await git(sandbox.fleet, "rev-list", "--merges", "main").count == 2)
            for path in [
                "apps/staging", "apps/production", "infrastructure/staging", "infrastructure/production", "clusters/staging", "docs",
            ] {
                #expect(try await git(sandbox.fleet, "rev-list", "--first-parent", "main", "--", path).count >= 3, "\(path)")
            }
            #expect(try await git(sandbox.fleet, "status", "--porcelain").isEmpty)
        }
    }

    @Test func historyIsDeterministic() async throws {
        var heads: [String] = []
        for _ in 0..<2 {
            try await withSandbox { sandbox in heads.append(try await Sandbox.offPool { try sandbox.fleet.head() }) }
        }
        #expect(heads.count == 2 && heads[0] == heads[1])
    }

    @Test func everyRevisionIsACommitTouchingItsPath() async throws {
        try await withSandbox { sandbox in
            let repository = try Repository.open(at: sandbox.fleet.path)
            let head = try await git(sandbox.fleet, "rev-parse", "main")[0]
            #expect(sandbox.world.kustomizations.map(\.name) == ["apps-staging", "apps-production", "infra-staging", "infra-production"])
            for k in sandbox.world.kustomizations {
                let touching = Set(try await git(sandbox.fleet, "rev-list", "--first-parent", "main", "--", String(k.path.dropFirst(2))))
                let object = try #require(
                    await sandbox.store.get(EmulatedResource.forKind("Kustomization")!, namespace: "flux-system", name: k.name))
                #expect(object.at("status.lastAppliedRevision")?.stringValue == k.lastAppliedRevision)
                guard case let .array(history)? = object.at("status.history") else { Issue.record("\(k.name) has no history"); continue }
                #expect((1...5).contains(history.count))
                var revisions = [k.lastAppliedRevision, k.lastAttemptedRevision]
                revisions += history.compactMap { $0.at("metadata.revision")?.stringValue }
                for revision in revisions {
                    #expect(revision.hasPrefix("main@sha1:"))
                    let sha = String(revision.dropFirst("main@sha1:".count))
                    let commit = try repository.commit(sha)
                    #expect(commit.sha == sha)
                    #expect(try repository.contains(commit.id, in: try repository.resolve(head)))
                    #expect(touching.contains(sha), "\(k.name): \(revision) does not touch \(k.path)")
                }
                let times = history.compactMap { $0.at("lastReconciled")?.stringValue }
                #expect(times == times.sorted(by: >), "\(k.name): history is newest first")
            }
            let staging = try #require(sandbox.world.kustomizations.first)
            #expect(staging.lastAppliedSha == head)
            #expect(
                sandbox.world.kustomizations.contains {
                    $0.failure?.reason == "HealthCheckFailed" && $0.lastAttemptedSha != $0.lastAppliedSha
                })
            #expect(sandbox.world.kustomizations.contains { $0.history.contains { !$0.succeeded } && $0.failure == nil })
            let production = sandbox.world.kustomizations[1]
            #expect(
                try await git(sandbox.fleet, "rev-list", "--first-parent", "\(production.lastAppliedSha)..main", "--", "apps/production")
                    .count >= 2)
        }
    }

    @Test func githubAnswersWithWhatNotificationControllerLeft() async throws {
        try await withSandbox { sandbox in
            let world = sandbox.world
            let ghost = try #require(world.seededStatuses.first { $0.isGhostFailure })
            let applied = try #require(world.kustomizations.first { $0.lastAppliedSha == ghost.sha && $0.failure == nil })
            #expect(ghost.context == applied.context && ghost.state == "failure")
            let (code, body) = try await githubGET(sandbox, "/repos/acme/fleet/commits/\(ghost.sha)/statuses")
            #expect(code == 200)
            let statuses = try #require(body as? [[String: Any]])
            #expect(
                statuses.contains {
                    $0["context"] as? String == "kustomization/apps-production/0c9c2e41" && $0["state"] as? String == "failure"
                })
            #expect(statuses.contains { $0["context"] as? String == "ci/kustomize-build" })
            // Nothing from notification-controller on the newest revisions.
            for k in world.kustomizations where k.history.first?.sha == k.lastAttemptedSha && k.name != applied.name {
                let (_, newest) = try await githubGET(sandbox, "/repos/acme/fleet/commits/\(k.lastAttemptedSha)/statuses")
                let contexts = (newest as? [[String: Any]] ?? []).compactMap { $0["context"] as? String }
                #expect(!contexts.contains(k.context), "\(k.name) already has a status on its newest revision")
            }
            // Older applied commits carry NC's statuses.
            let older = world.seededStatuses.filter { $0.context.hasPrefix("kustomization/") && !$0.isGhostFailure }
            #expect(older.count >= 6)
            for seed in older { #expect(sandbox.latestStatus(of: seed.sha, context: seed.context)?.state == seed.state) }
            #expect(try await githubGET(sandbox, "/repos/acme/fleet/commits/\(ghost.sha)/statuses", token: "wrong").0 == 401)
            #expect(!sandbox.github.core.requests.isEmpty)
        }
    }

    @Test func theBuiltGetCommandSeesTheFourKustomizations() async throws {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        try await withSandbox { sandbox in
            let path = sandbox.kubeconfigURL.path
            let result = try await Sandbox.offPool {
                try runCommand(binary, ["get", "--kubeconfig", path], environment: ["HOME": "/nonexistent"])
            }
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 5)
            for k in sandbox.world.kustomizations {
                let line = try #require(lines.first { $0.contains(" \(k.name) ") }, "\(k.name) missing from:\n\(result.stdout)")
                #expect(line.contains("github:kustomization/\(k.name)/0c9c2e41"))
                #expect(line.contains(k.lastAppliedRevision))
            }
            #expect(lines.contains { $0.contains("infra-staging") && $0.contains("HealthCheckFailed") })
        }
    }

    @Test func theBuiltSyncConvergesOnTheSandbox() async throws {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        try await withSandbox { sandbox in
            let flags = ["--config", sandbox.configURL.path, "--kubeconfig", sandbox.kubeconfigURL.path]
            let first = try await Sandbox.offPool { try runCommand(binary, ["sync"] + flags, environment: ["HOME": "/nonexistent"]) }
            #expect(first.status == 0, "\(first.stderr)")
            let written = first.stderr.firstMatch(of: /written ([0-9]+)/).flatMap { Int($0.1) }
            #expect((written ?? 0) >= 5, "the outage gap, the failure and the ghost correction: \(first.stderr)")
            for k in sandbox.world.kustomizations {
                #expect(sandbox.latestStatus(of: k.lastAppliedSha, context: k.context)?.state == "success", "\(k.name)")
                if k.failure != nil {
                    #expect(sandbox.latestStatus(of: k.lastAttemptedSha, context: k.context)?.state == "failure")
                }
            }
            let second = try await Sandbox.offPool { try runCommand(binary, ["sync"] + flags, environment: ["HOME": "/nonexistent"]) }
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("written 0"), "\(second.stderr)")
        }
    }

    @Test func testsCanChangeTheWorld() async throws {
        try await withSandbox { sandbox in
            let sha = try await Sandbox.offPool {
                try sandbox.fleet.commit("apps/staging: podinfo 6.8.1", ["apps/staging/podinfo/deployment.yaml": "v: 6.8.1\n"])
            }
            #expect(try await git(sandbox.fleet, "rev-parse", "main") == [sha])
            let revision = "main@sha1:\(sha)"
            #expect(await sandbox.updateKustomization("apps-staging") { $0["status"]?["lastAppliedRevision"] = .string(revision) })
            let object = await sandbox.store.get(EmulatedResource.forKind("Kustomization")!, namespace: "flux-system", name: "apps-staging")
            #expect(object?.at("status.lastAppliedRevision")?.stringValue == revision)
        }
    }

    @Test func fixturesValidateAgainstTheFluxCRDs() async throws {
        try await withSandbox(scale: Sandbox.Scale(repositories: 2, kustomizations: 3)) { scaled in
            try await withSandbox { sandbox in
                for fixtures in [sandbox.world.fixtures, scaled.world.fixtures] {
                    let objects = try JSONValue.documents(fromYAML: fixtures)
                    for kind in ["Kustomization", "GitRepository", "Provider", "Alert"] {
                        #expect(objects.contains { $0["kind"]?.stringValue == kind }, "no \(kind)")
                    }
                    let problems = try FluxCRDs.problems(inYAML: fixtures)
                    #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
                }
            }
        }
    }

    @Test func scaleWorldHas25CommitsToBackfillPerKustomization() async throws {
        let scale = Sandbox.Scale(repositories: 3, kustomizations: 7)
        try await withSandbox(scale: scale) { sandbox in
            #expect(sandbox.repositories.count == 3)
            #expect(sandbox.world.kustomizations.count == 7)
            #expect(scale.statusesToBackfill == 175 && Sandbox.Scale.benchmark.statusesToBackfill == 5000)
            #expect(sandbox.world.seededStatuses.isEmpty)
            let config = try String(contentsOf: sandbox.configURL, encoding: .utf8)
            for repo in sandbox.repositories { #expect(config.contains("url: \"\(repo.url)\"")) }
            #expect(config.contains("writesPerMinute: 0"))
            var shas = Set<String>()
            for k in sandbox.world.kustomizations {
                let repo = try #require(sandbox.repositories.first { $0.url == k.repositoryURL })
                let path = String(k.path.dropFirst(2))
                #expect(k.history.count == 5)
                let newest = k.history.first!.sha, oldest = k.history.last!.sha
                let carried = try await git(repo, "rev-list", "--first-parent", newest, "^\(oldest)", "--", path)
                #expect(carried.count + 1 == 25, "\(k.name)")
                shas.formUnion(carried + [oldest])
            }
            #expect(shas.count == 175, "every status to backfill is on a distinct commit")
            _ = try Repository.open(at: sandbox.repositories[0].path)
        }
    }

    @Test func theSandboxBinaryServesUntilSIGTERM() async throws {
        let binary = try #require(BuiltProduct.url("fluxstamp-sandbox"), "build the fluxstamp-sandbox product first")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-bin-" + UUID().uuidString.prefix(8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = binary
        process.arguments = [dir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.runSerialized()
        let line = try await Sandbox.offPool { () -> String in
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(line == "ready \(dir.standardizedFileURL.path)\n")
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("sandbox.json"))) as? [String: Any]
        let base = try #require(manifest?["githubAPIBaseURL"] as? String)
        let token = try #require(manifest?["githubToken"] as? String)
        let probe = try await Sandbox.offPool {
            try runCommand(
                URL(fileURLWithPath: "/usr/bin/env"),
                [
                    "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "Authorization: token \(token)", base + "/repos/acme/fleet/commits/0000/statuses",
                ])
        }
        #expect(probe.stdout == "200")
        process.terminate()
        try await Sandbox.offPool { process.waitUntilExit() }
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
