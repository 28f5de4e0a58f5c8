import FluxstampTesting
import Foundation
import Kube
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two forges behind one cluster, for outage runs of the built binary: `apps…` Kustomizations on
/// the GitHub emulator (source `https://github.com/acme/fleet`) and `gitea-…` ones on the Gitea
/// emulator (`https://gitea.example.com/acme/fleet`), all over one real git repository. Each
/// Kustomization applied the newest commit and, earlier, commit 1, so `--intermediate deployed`
/// plans one status per commit per Kustomization.
final class OutageWorld: @unchecked Sendable {
    let repo: GitFixture
    let kube: KubeAPIEmulator
    let github: GitHubEmulator
    let gitea: GiteaEmulator
    let directory: URL
    let kubeconfig: URL
    let config: URL
    /// First-parent commits, oldest first (commit 0 is the layout).
    let commits: [String]
    /// Statuses a full `sync --intermediate deployed` plans on each forge.
    let plannedPerForge: (github: Int, gitea: Int)

    init(
        commits count: Int, githubKustomizations: Int = 1, giteaKustomizations: Int = 1,
        github githubConfiguration: ForgeEmulatorConfiguration = .init(token: "e2e-github-token"),
        gitea giteaConfiguration: ForgeEmulatorConfiguration = .init(token: "e2e-gitea-token"),
        githubWritesPerMinute: Double = 0
    ) async throws {
        repo = try GitFixture(name: "outage")
        var commits = [try repo.commit("layout", ["apps/app.yaml": "v0", "README.md": "fleet"])]
        for i in 1...count { commits.append(try repo.commit("apps change \(i)", ["apps/app.yaml": "v\(i)"])) }
        self.commits = commits
        plannedPerForge = (count * githubKustomizations, count * giteaKustomizations)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outage-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        github = try await GitHubEmulator.start(githubConfiguration, repositories: ["acme/fleet"])
        gitea = try await GiteaEmulator.start(giteaConfiguration, repositories: ["acme/fleet"])
        kube = try await KubeAPIEmulator.start(fixtures: [])
        let githubNames = (0..<githubKustomizations).map { "apps-\($0)" }
        let giteaNames = (0..<giteaKustomizations).map { "gitea-\($0)" }
        var yaml = [
            Self.source("fleet", url: "https://github.com/acme/fleet"),
            Self.source("fleet-gitea", url: "https://gitea.example.com/acme/fleet"),
            Self.provider("github", type: "github", address: "https://github.com/acme/fleet", uid: "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"),
            Self.provider(
                "gitea", type: "gitea", address: "https://gitea.example.com/acme/fleet", uid: "5e5e5e5e-7b3a-4f5e-9d2a-1f2e3d4c5b6a"),
            Self.alert("github", names: githubNames), Self.alert("gitea", names: giteaNames),
            Self.secret("github-token", token: githubConfiguration.token), Self.secret("gitea-token", token: giteaConfiguration.token),
        ]
        yaml += githubNames.map { Self.kustomization($0, source: "fleet", applied: commits[count], earlier: commits[1]) }
        yaml += giteaNames.map { Self.kustomization($0, source: "fleet-gitea", applied: commits[count], earlier: commits[1]) }
        try await kube.store.load(yaml: yaml.joined(separator: "\n---\n"))
        kubeconfig = try kube.writeKubeconfig(to: directory)
        config = directory.appendingPathComponent("fluxstamp.yaml")
        try """
        clusterName: e2e
        forges:
          - host: github.com
            apiBaseURL: \(github.baseURL)/api/v3
            writesPerMinute: \(githubWritesPerMinute)
          - host: gitea.example.com
            type: gitea
            apiBaseURL: \(gitea.baseURL)/api/v1
            writesPerMinute: 0
        repositories:
          - url: https://github.com/acme/fleet
            path: \(repo.path)
          - url: https://gitea.example.com/acme/fleet
            path: \(repo.path)
        cacheDir: \(directory.path)/cache
        """.write(to: config, atomically: true, encoding: .utf8)
    }

    func stop() async {
        await kube.shutdown()
        await github.shutdown()
        await gitea.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Statuses stored per commit on each forge (every POST appends on both).
    func stored(_ sha: String) -> (github: Int, gitea: Int) { (github.statuses(of: sha).count, gitea.statuses(of: sha).count) }

    /// Status POSTs each emulator received (answered or not).
    var githubPosts: Int { github.core.requests.filter { $0.method == "POST" && $0.path.contains("/statuses/") }.count }
    var giteaPosts: Int { gitea.core.requests.filter { $0.method == "POST" && $0.path.contains("/statuses/") }.count }

    /// Starts `fluxstamp` with the world's kubeconfig and config; stderr goes to a file.
    func launch(_ arguments: [String]) throws -> RunningFluxstamp {
        let binary = try #require(BuiltProduct.url())
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--kubeconfig", kubeconfig.path, "--config", config.path]
        process.environment = ["HOME": "/nonexistent"]
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let stderr = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.runSerialized()
        return RunningFluxstamp(process: process, stderrFile: stderr)
    }

    /// Runs `fluxstamp` to the end.
    func fluxstamp(_ arguments: [String]) async throws -> Finished {
        try await launch(arguments).finish()
    }

    static func source(_ name: String, url: String) -> String {
        """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: \(name), namespace: flux-system, uid: \(UUID().uuidString.lowercased())}
        spec: {interval: 1m0s, url: "\(url)", ref: {branch: main}}
        """
    }

    static func provider(_ name: String, type: String, address: String, uid: String) -> String {
        """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata: {name: \(name), namespace: flux-system, uid: \(uid)}
        spec: {type: \(type), address: "\(address)", secretRef: {name: \(name)-token}}
        """
    }

    static func alert(_ provider: String, names: [String]) -> String {
        let sources = "[" + (names.isEmpty ? ["none"] : names).map { "{kind: Kustomization, name: \($0)}" }.joined(separator: ", ") + "]"
        return """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: \(provider)-status, namespace: flux-system, uid: \(UUID().uuidString.lowercased())}
            spec: {providerRef: {name: \(provider)}, eventSeverity: info, eventSources: \(sources)}
            """
    }

    static func secret(_ name: String, token: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: \(name), namespace: flux-system}
        type: Opaque
        data: {token: \(Data(token.utf8).base64EncodedString())}
        """
    }

    static func kustomization(_ name: String, source: String, applied: String, earlier: String) -> String {
        """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: \(name), namespace: flux-system, uid: \(UUID().uuidString.lowercased())}
        spec: {interval: 10m0s, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: \(source)}}
        status:
          observedGeneration: 1
          conditions:
          - {type: Ready, status: "True", reason: ReconciliationSucceeded, message: "Applied", lastTransitionTime: "2026-11-20T10:00:00Z"}
          lastAppliedRevision: main@sha1:\(applied)
          lastAttemptedRevision: main@sha1:\(applied)
          history:
          - digest: sha256:\(String(repeating: "1", count: 64))
            firstReconciled: "2026-11-20T10:00:00Z"
            lastReconciled: "2026-11-20T10:00:00Z"
            lastReconciledDuration: 1.5s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 1
            metadata: {revision: "main@sha1:\(applied)"}
          - digest: sha256:\(String(repeating: "2", count: 64))
            firstReconciled: "2026-11-19T10:00:00Z"
            lastReconciled: "2026-11-19T10:00:00Z"
            lastReconciledDuration: 1.5s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 1
            metadata: {revision: "main@sha1:\(earlier)"}
        """
    }
}

/// A `fluxstamp` process under way.
struct RunningFluxstamp: @unchecked Sendable {
    let process: Process
    let stderrFile: URL

    /// Waits for the process off the cooperative pool; after `hangGuard` seconds it is killed and
    /// `hung` says so (a hang guard only: no assertion is on how long a run took).
    func finish(hangGuard: Double = 600) async throws -> Finished {
        let process = self.process
        let hung = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                var waited = 0.0
                while process.isRunning, waited < hangGuard {
                    usleep(10_000)
                    waited += 0.01
                }
                let hung = process.isRunning
                if hung { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                continuation.resume(returning: hung)
            }
        }
        let stderr = try String(contentsOf: stderrFile, encoding: .utf8)
        return Finished(status: process.terminationStatus, stderr: stderr, hung: hung)
    }

    /// Sends SIGTERM, as Kubernetes does at `activeDeadlineSeconds`.
    func terminate() { kill(process.processIdentifier, SIGTERM) }
}

/// What a finished run printed.
struct Finished {
    var status: Int32
    var stderr: String
    var hung: Bool

    var lines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// `error: …` lines, without the prefix, except the summary and SIGTERM lines.
    var problemLines: [String] {
        lines.filter { $0.hasPrefix("error: ") && !$0.hasPrefix("error: interrupted by SIGTERM") }.map { String($0.dropFirst(7)) }
    }

    /// The summary line (`kustomizations …, observed …, planned …`).
    var summary: String? { lines.last { $0.hasPrefix("kustomizations ") } }

    /// A named figure of the summary line (`written`, `failed`, `planned`, …).
    func figure(_ name: String, in line: String? = nil) -> Int? {
        guard let line = line ?? summary, let pattern = try? Regex("\\b\(name) ([0-9]+)"),
            let match = line.firstMatch(of: pattern), let digits = match.output[1].substring
        else { return nil }
        return Int(digits)
    }

    /// How many occurrences a problem line stands for: `… (N times)` or one.
    static func count(_ line: String) -> Int {
        line.firstMatch(of: /\(([0-9]+) times\)$/).flatMap { Int($0.1) } ?? 1
    }
}

/// Forges as they really behave, through the built binary (issue 10): an outage ends a run cleanly
/// with one line per problem and a summary, storms of 5xx and rate limits still converge, a lost
/// answer leaves no duplicate, and consecutive runs share GitHub's hourly write budget.
@Suite(.serialized) struct OutageEndToEndTests {
    /// Waits (without blocking the pool the emulators answer on) until `condition` holds, or the
    /// process ended; a hang guard only.
    static func wait(until condition: () -> Bool, while running: RunningFluxstamp) async throws {
        var polls = 0
        while !condition(), running.process.isRunning, polls < 60_000 {
            try await Task.sleep(for: .milliseconds(5))
            polls += 1
        }
    }

    @Test("GitHub killed mid-sync: the run ends within --retry-budget, one line per problem with counts, a summary; Gitea carries on")
    func githubKilledMidSync() async throws {
        // GitHub paced at 120 writes a minute (burst 20), so the kill lands mid-backfill.
        let world = try await OutageWorld(
            commits: 60, github: .init(token: "e2e-github-token", latency: 0.03), gitea: .init(token: "e2e-gitea-token", latency: 0.03),
            githubWritesPerMinute: 120)
        defer { Task { await world.stop() } }
        let running = try world.launch(["sync", "--intermediate", "deployed", "--retry-budget", "20"])
        try await Self.wait(until: { world.githubPosts >= 15 }, while: running)
        await world.github.shutdown()
        let killedAfter = world.githubPosts
        let run = try await running.finish()

        #expect(!run.hung, "the run ended on its own within the retry budget: \(run.stderr)")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(killedAfter >= 15 && killedAfter < 60, "GitHub killed after \(killedAfter) writes")
        // Gitea carried on: every status it should get, exactly once.
        for sha in world.commits[1...60] { #expect(world.stored(sha).gitea == 1, "\(sha.prefix(7)) on Gitea") }
        // One line per distinct problem, each about GitHub, with counts that add up to the failed writes.
        let problems = run.problemLines
        #expect(Set(problems).count == problems.count, "\(run.stderr)")
        #expect(problems.allSatisfy { $0.hasPrefix("github.com/acme/fleet: ") }, "\(run.stderr)")
        #expect(problems.count >= 1 && problems.count <= 3, "\(run.stderr)")
        #expect(problems.contains { $0.contains("judged unavailable") }, "\(run.stderr)")
        #expect(!run.stderr.contains("(error set)") && !run.stderr.contains("errno"), "\(run.stderr)")
        let summary = try #require(run.summary, "\(run.stderr)")
        let written = try #require(run.figure("written")), failed = try #require(run.figure("failed"))
        #expect(run.figure("planned") == 120)
        #expect(written + failed == 120, "\(summary)")
        #expect(problems.map(Finished.count).reduce(0, +) == failed, "\(run.stderr)")
        // The summary claims no more than the forges hold (a write in flight when GitHub died may be
        // stored without its answer: it counts as failed, and the next run reads the forge first).
        let githubStored = world.commits[1...60].map { world.stored($0).github }
        #expect(githubStored.allSatisfy { $0 <= 1 }, "no duplicate on GitHub")
        #expect(written >= 60 && written <= 60 + githubStored.reduce(0, +), "\(summary)")
    }

    @Test("GitHub down from the start: one read gives up within the bound, one line, Gitea written in full")
    func githubDownFromTheStart() async throws {
        let world = try await OutageWorld(commits: 10)
        defer { Task { await world.stop() } }
        await world.github.shutdown()
        let run = try await world.fluxstamp(["sync", "--intermediate", "deployed", "--retry-budget", "20"])
        #expect(!run.hung && run.status == 1, "\(run.stderr)")
        for sha in world.commits[1...10] { #expect(world.stored(sha).gitea == 1, "\(sha.prefix(7)) on Gitea") }
        #expect(run.problemLines.count == 1, "\(run.stderr)")
        #expect(run.problemLines.first?.hasPrefix("github.com/acme/fleet: no answer (connection refused)") == true, "\(run.stderr)")
        // Nothing is written to GitHub on a guess: its statuses were not read, so its Kustomization plans nothing.
        #expect(run.figure("planned") == 10 && run.figure("written") == 10, "\(run.stderr)")
    }

    @Test("SIGTERM while GitHub is down: the problems so far, a summary line, exit 143; Gitea's writes already made stay")
    func sigtermDuringOutage() async throws {
        // GitHub paced at 120 writes a minute (burst 20), so the kill lands mid-backfill.
        let world = try await OutageWorld(
            commits: 60, github: .init(token: "e2e-github-token", latency: 0.03), gitea: .init(token: "e2e-gitea-token", latency: 0.03),
            githubWritesPerMinute: 120)
        defer { Task { await world.stop() } }
        let running = try world.launch(["sync", "--intermediate", "deployed"])
        try await Self.wait(until: { world.githubPosts >= 15 }, while: running)
        await world.github.shutdown()
        // Mid-run: GitHub's writes are being retried (the default budget is 120 s) when Kubernetes stops the pod.
        try await Self.wait(until: { world.giteaPosts >= 40 }, while: running)
        running.terminate()
        let run = try await running.finish()

        #expect(run.status == 143, "\(run.stderr)")
        let line = try #require(run.lines.last { $0.contains("interrupted by SIGTERM: ") }, "\(run.stderr)")
        #expect(line.contains(" of 120 planned writes done"), "\(line)")
        let written = try #require(run.figure("written", in: line)), failed = try #require(run.figure("failed", in: line))
        let stored = world.commits[1...60].map { world.stored($0) }
        #expect(written <= stored.map(\.github).reduce(0, +) + stored.map(\.gitea).reduce(0, +), "\(line)")
        #expect(run.problemLines.map(Finished.count).reduce(0, +) == failed, "\(run.stderr)")
        #expect(Set(run.problemLines).count == run.problemLines.count, "\(run.stderr)")
        #expect(stored.allSatisfy { $0.github <= 1 && $0.gitea <= 1 }, "no duplicates")
    }

    @Test("10 % 5xx, 429 storms and secondary limits on both forges: every planned status present exactly once")
    func storms() async throws {
        let world = try await OutageWorld(
            commits: 30,
            github: .init(
                token: "e2e-github-token", rateLimitBudget: 12, rateLimitWindow: 2, rateLimitStatus: 429, serverErrorRate: 0.1,
                latency: 0.01),
            gitea: .init(
                token: "e2e-gitea-token", rateLimitBudget: 12, rateLimitWindow: 2, rateLimitStatus: 429, serverErrorRate: 0.1,
                latency: 0.01))
        defer { Task { await world.stop() } }
        let running = try world.launch(["sync", "--intermediate", "deployed"])
        // Once writes are under way, a storm of GitHub secondary limits (403, Retry-After 1 s) and gateway errors.
        try await Self.wait(until: { world.githubPosts >= 3 }, while: running)
        world.github.core.secondaryLimitNext(times: 4, retryAfter: 1)
        world.github.core.failNext(status: 502, times: 3)
        let run = try await running.finish()

        #expect(!run.hung && run.status == 0, "\(run.stderr)")
        for sha in world.commits[1...30] {
            #expect(world.stored(sha).github == 1, "\(sha.prefix(7)) on GitHub")
            #expect(world.stored(sha).gitea == 1, "\(sha.prefix(7)) on Gitea")
        }
        #expect(run.figure("planned") == 60 && run.figure("written") == 60 && run.figure("failed") == 0, "\(run.stderr)")
        // The storms really happened.
        #expect(world.github.core.requests.contains { $0.status == 429 } && world.gitea.core.requests.contains { $0.status == 429 })
        #expect(world.github.core.requests.contains { $0.status == 403 })
        #expect(world.gitea.core.requests.contains { $0.status >= 500 })
        let rerun = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(rerun.status == 0 && rerun.figure("planned") == 0, "\(rerun.stderr)")
    }

    @Test("answers lost after GitHub stored the write: no duplicate after the run or the rerun; the summary claims only real writes")
    func lostAnswers() async throws {
        let world = try await OutageWorld(
            commits: 20, giteaKustomizations: 0, github: .init(token: "e2e-github-token", latency: 0.01))
        defer { Task { await world.stop() } }
        world.github.core.dropAnswerAfterStoringNext(times: 4, pathContaining: "/statuses/")
        let run = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(world.github.core.requests.filter { $0.status == 0 }.count == 4, "four answers were lost")
        let stored = world.commits[1...20].map { world.stored($0).github }
        #expect(stored.allSatisfy { $0 == 1 }, "each status once: \(stored)")
        #expect(world.githubPosts == 20, "a lost answer is re-read, not re-posted")
        #expect(run.figure("written") == 20 && run.figure("planned") == 20, "\(run.stderr)")

        let rerun = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(rerun.status == 0 && rerun.figure("planned") == 0 && rerun.figure("written") == 0, "\(rerun.stderr)")
        #expect(world.githubPosts == 20)
    }

    @Test("two consecutive runs with GitHub's 500 writes an hour (pacing file in the cache directory) write 500 together, not more")
    func hourlyBudgetAcrossRuns() async throws {
        // 4 Kustomizations × 150 commits = 600 statuses; the per-minute rate is lifted so only the hourly cap paces.
        let world = try await OutageWorld(commits: 150, githubKustomizations: 4, giteaKustomizations: 0, githubWritesPerMinute: 100_000)
        defer { Task { await world.stop() } }
        let first = try await world.fluxstamp(["sync", "--intermediate", "deployed", "--max-writes", "300"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(world.githubPosts == 300)

        let second = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(!second.hung, "the second run does not sit out the hour")
        #expect(world.githubPosts == 500, "\(second.stderr)")
        #expect(second.figure("planned") == 300 && second.figure("written") == 200 && second.figure("failed") == 100, "\(second.stderr)")
        #expect(second.problemLines.count == 1, "\(second.stderr)")
        #expect(second.problemLines.first.map(Finished.count) == 100)
        #expect(second.problemLines.first?.contains("hourly write budget") == true, "\(second.stderr)")
        #expect(second.status == 1)
        let cache = world.directory.appendingPathComponent("cache").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).contains { $0.hasPrefix("write-pacing-") })
    }
}
