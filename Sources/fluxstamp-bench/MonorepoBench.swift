import FluxstampTesting
import Foundation

/// `monorepo FLUXSTAMP REPO`: the backfill of a monorepo at scale. REPO is the generated
/// 100,000-commit repository (scripts/gen-repo, with REPO.paths listing 20 watched paths). 200
/// Kustomizations watch those paths (10 each), each with 5 history snapshots at commits touching
/// its path; the Kustomizations' snapshots are spread over the last 20,000 first-parent commits. The real `fluxstamp sync
/// --intermediate deployed` runs against the Kubernetes API and GitHub emulators. Prints wall time,
/// peak RSS, git walks performed, requests per status written, and the time
/// `git rev-list --first-parent A..B -- <path>` needs for the same ranges, measured in the same
/// run; fails when fluxstamp's wall exceeds git's, or when the statuses written differ from what
/// git lists.
enum MonorepoBench {
    static let kustomizations = 200
    static let window = 20_000
    static let snapshots = 5
    static let spacing = 45

    static func run(_ arguments: [String]) async throws {
        guard arguments.count == 2 else { throw BenchUsage(text: "monorepo FLUXSTAMP_BINARY REPO") }
        let binary = URL(fileURLWithPath: arguments[0])
        let repo = arguments[1]
        let paths = try String(contentsOfFile: repo + ".paths", encoding: .utf8).split(separator: "\n").map(String.init)
        let git = URL(fileURLWithPath: "/usr/bin/git")
        func gitLines(_ args: [String]) throws -> [String] {
            let result = try runCommand(git, ["-C", repo] + args)
            guard result.status == 0 else { throw BenchUsage(text: "git \(args.joined(separator: " ")) failed: \(result.stderr)") }
            return result.stdout.split(separator: "\n").map(String.init)
        }
        // Commits touching each path in the window, newest first.
        let base = "HEAD~\(window)"
        var touching: [[String]] = []
        for path in paths { touching.append(try gitLines(["rev-list", "--first-parent", "\(base)..HEAD", "--", path])) }
        // Kustomization k watches path k % 20; its snapshots sit at touching commits spread evenly.
        var members: [Member] = []
        for k in 0..<kustomizations {
            let list = touching[k % paths.count]
            // The 10 Kustomizations of a path deploy at different depths of the window (offsets a tenth
            // of it apart); each one's snapshots are `spacing` path-touching commits apart, so a
            // deployment carried about 44 commits of its path (about 36,000 statuses in all).
            let offset = (k / paths.count) * (list.count / 10)
            // Paths touched less often (clusters/*) get their snapshots closer together.
            let stride = min(spacing, max(1, (list.count / 10 - 1) / (snapshots - 1)))
            guard offset + stride * (snapshots - 1) < list.count else {
                throw BenchUsage(text: "monorepo: path \(paths[k % paths.count]) has too few commits")
            }
            members.append(
                Member(
                    name: String(format: "app-%03d", k), path: paths[k % paths.count],
                    snapshots: (0..<snapshots).map { list[offset + $0 * stride] }))
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fluxstamp-bench-monorepo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let github = try await GitHubEmulator.start(ForgeEmulatorConfiguration(token: "bench-token"), repositories: ["acme/monorepo"])
        let kube = try await KubeAPIEmulator.start(fixtures: [])
        defer {
            Task {
                await kube.shutdown(); await github.shutdown(); try? FileManager.default.removeItem(at: directory)
            }
        }
        try await kube.store.load(yaml: fluxYAML(members))
        let kubeconfig = try kube.writeKubeconfig(to: directory)
        let config = directory.appendingPathComponent("fluxstamp.yaml")
        try """
        clusterName: bench
        forges:
          - host: github.com
            apiBaseURL: \(github.baseURL)/api/v3
            writesPerMinute: 0
        repositories:
          - url: https://github.com/acme/monorepo
            path: \(repo)
        cacheDir: \(directory.path)/cache
        """.write(to: config, atomically: true, encoding: .utf8)

        // git's reference: every range a deployment carried, listed by git itself.
        var ranges: [(from: String, to: String, path: String)] = []
        for member in members {
            for (newer, older) in zip(member.snapshots, member.snapshots.dropFirst()) { ranges.append((older, newer, member.path)) }
        }
        let gitStart = Date()
        var carried = 0
        for range in ranges {
            carried += try gitLines(["rev-list", "--first-parent", "\(range.from)..\(range.to)", "--", range.path]).count - 1
        }
        let gitWall = Date().timeIntervalSince(gitStart)
        let expected = kustomizations * snapshots + carried
        print(
            "monorepo: \(paths.count) paths, \(kustomizations) Kustomizations x \(snapshots) snapshots "
                + "over the last \(window) commits; \(ranges.count) ranges; \(expected) statuses expected"
        )
        print(String(format: "  git rev-list --first-parent A..B -- <path>, %d ranges: %.2f s", ranges.count, gitWall))

        let start = Date()
        let result = try await Sandbox.offPool {
            try runCommand(
                binary,
                ["sync", "--intermediate", "deployed", "--log-format", "json", "--kubeconfig", kubeconfig.path, "--config", config.path],
                environment: ["HOME": "/nonexistent", "FLUXSTAMP_DEBUG": "1"])
        }
        let wall = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let rss = Double(usage.ru_maxrss) / 1024
        let requests = github.core.requests
        let writes = requests.filter { $0.method == "POST" && $0.path.contains("/statuses/") }.count
        let walks =
            result.stderr.split(separator: "\n").last { $0.contains("\"walks\":") }
            .flatMap { $0.firstMatch(of: /"walks":(\d+)/).map { String($0.1) } } ?? "?"
        let perStatus = writes == 0 ? Double.infinity : Double(requests.count) / Double(writes)
        print(
            String(
                format: "  fluxstamp sync: %.2f s wall, peak RSS %.1f MB, %@ git walks, %d requests for %d statuses (%.3f per status)",
                wall, rss, walks, requests.count, writes, perStatus))
        print(String(format: "  ratio fluxstamp/git: %.2fx (must be <= 1.0)", wall / gitWall))
        // The stage lines (JSON, with times) say where the wall time went.
        for line in result.stderr.split(separator: "\n") where !line.contains("\"level\":\"error\"") {
            print("    \(line.prefix(200))")
        }
        var failed = result.status != 0
        if failed { print(result.stderr.suffix(2000)) }
        if writes != expected { print("  FAIL: \(writes) statuses written, git lists \(expected)"); failed = true }
        if wall > gitWall { print("  FAIL: slower than git"); failed = true }
        if failed { throw BenchUsage(text: "monorepo: a target was missed") }
    }

    /// One Kustomization: its path and its snapshots' commits, newest first.
    struct Member {
        var name: String
        var path: String
        var snapshots: [String]
    }

    /// The GitRepository, a GitHub Provider with its Secret and Alert, and the Kustomizations,
    /// each Ready at its newest snapshot, with snapshots an hour apart.
    static func fluxYAML(_ members: [Member]) -> String {
        var yaml = """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: monorepo, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-00000000b001}
            spec: {interval: 1m0s, url: "https://github.com/acme/monorepo", ref: {branch: main}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: github, namespace: flux-system, uid: 0c9c2e41-7b3a-4f5e-9d2a-00000000b002}
            spec: {type: github, address: "https://github.com/acme/monorepo", secretRef: {name: github-token}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: commit-status, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-00000000b003}
            spec:
              providerRef: {name: github}
              eventSeverity: info
              eventSources: [{kind: Kustomization, name: "*"}]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: github-token, namespace: flux-system}
            type: Opaque
            data: {token: \(Data("bench-token".utf8).base64EncodedString())}

            """
        let now = Date()
        for (index, member) in members.enumerated() {
            yaml += """
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: \(member.name), namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-\(String(format: "%012d", index))}
                spec: {interval: 10m0s, path: "\(member.path)", prune: true, sourceRef: {kind: GitRepository, name: monorepo}}
                status:
                  conditions:
                  - {type: Ready, status: "True", reason: ReconciliationSucceeded,
                      message: "Applied revision", lastTransitionTime: "2026-11-20T10:00:00Z"}
                  lastAppliedRevision: main@sha1:\(member.snapshots[0])
                  lastAttemptedRevision: main@sha1:\(member.snapshots[0])
                  history:

                """
            for (age, sha) in member.snapshots.enumerated() {
                let time = now.addingTimeInterval(-3600 * Double(age + 1)).formatted(.iso8601)
                yaml += """
                      - digest: sha256:\(String(repeating: String(age), count: 64))
                        firstReconciled: "\(time)"
                        lastReconciled: "\(time)"
                        lastReconciledDuration: 1.5s
                        lastReconciledStatus: ReconciliationSucceeded
                        totalReconciliations: 1
                        metadata: {revision: main@sha1:\(sha)}

                    """
            }
        }
        return yaml
    }
}
