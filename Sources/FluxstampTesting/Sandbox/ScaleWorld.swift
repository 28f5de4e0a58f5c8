import Foundation

/// The benchmark world: N generated repositories and M Kustomizations spread over them (one path
/// each), every Kustomization Ready at its newest commit with 5 history snapshots six path-commits
/// apart. With `--intermediate deployed` each Kustomization has 25 commits to backfill (5 applied
/// + 20 in between), so 200 Kustomizations over 20 repositories make 5,000 statuses. Nothing is
/// pre-loaded on the forge.
enum ScaleWorld {
    static let namespace = "flux-system"
    /// Commits per path after the initial layout.
    static let rounds = 26
    /// History snapshots, as indices of the commits touching the path (newest first).
    static let snapshotIndices = [0, 6, 12, 18, 24]

    static func repositoryName(_ r: Int) -> String { String(format: "repo-%02d", r) }
    static func kustomizationName(_ k: Int) -> String { String(format: "app-%03d", k) }
    static func providerUID(_ r: Int) -> String { FluxYAML.uid("provider/\(repositoryName(r))", prefix: String(format: "5ca1e%03x", r)) }

    /// The Kustomization numbers that live in repository `r`.
    static func members(of r: Int, scale: Sandbox.Scale) -> [Int] {
        Array(stride(from: r, to: scale.kustomizations, by: scale.repositories))
    }

    /// The history of repository `r`: an initial layout, then `rounds` rounds of one commit per path.
    static func build(repository r: Int, scale: Sandbox.Scale, startTime: Int) -> HistoryBuilder {
        let name = repositoryName(r)
        var builder = HistoryBuilder(startTime: startTime)
        let paths = members(of: r, scale: scale).map { "apps/\(kustomizationName($0))" }
        var head = builder.commit(
            "\(name): initial layout",
            files: [("README.md", "# \(name)\n")] + paths.map { ("\($0)/deployment.yaml", "# \(name) \($0)\nrelease: 1.0.0\n") },
            parents: [], areas: Set(paths))
        for round in 1...rounds {
            for path in paths {
                let message = "\(path.dropFirst(5)): release 1.\(round).0"
                head = builder.commit(
                    message, files: [("\(path)/deployment.yaml", "# \(name) \(path)\nrelease: 1.\(round).0\n")],
                    parents: [head], areas: [path])
            }
        }
        return builder
    }

    /// The world over every repository's imported history.
    static func make(histories: [(HistoryBuilder, [Int: String])], scale: Sandbox.Scale, token: String) -> SandboxWorld {
        var kustomizations: [SandboxKustomization] = []
        var objects = [FluxYAML.secret(name: "github-token", namespace: namespace, token: token)]
        var uids: [String: String] = [:]
        for (r, (history, marks)) in histories.enumerated() {
            let repo = repositoryName(r)
            let url = "https://github.com/acme/\(repo)"
            let entries = history.entries
            let anchor = entries.last!.time + 20 * 60
            let uid = providerUID(r)
            uids["github-\(repo)"] = uid
            objects.append(
                FluxYAML.gitRepository(
                    name: repo, namespace: namespace, url: url, headSha: marks[entries.last!.mark]!,
                    time: entries.last!.time + 60))
            objects.append(FluxYAML.provider(name: "github-\(repo)", namespace: namespace, uid: uid, address: url, secret: "github-token"))
            objects.append(
                FluxYAML.alert(
                    name: repo, namespace: namespace, provider: "github-\(repo)",
                    matchLabels: ["sandbox.fluxstamp.dev/repository": repo]))
            for k in members(of: r, scale: scale) {
                let name = kustomizationName(k)
                let path = "apps/\(name)"
                let touching = Array(entries.filter { $0.areas.contains(path) }.reversed())
                let snapshots = snapshotIndices.enumerated().map { position, i in
                    SandboxSnapshot(
                        sha: marks[touching[i].mark]!, status: "ReconciliationSucceeded",
                        firstReconciled: touching[i].time + 60,
                        lastReconciled: position == 0 ? anchor : touching[i].time + 120,
                        total: position == 0 ? max(1, (anchor - touching[i].time) / 600) : 1)
                }
                let kustomization = SandboxKustomization(
                    name: name, path: "./\(path)", source: repo, repositoryURL: url, interval: "10m",
                    context: "kustomization/\(name)/\(uid.prefix(8))", labels: ["sandbox.fluxstamp.dev/repository": repo],
                    lastAppliedSha: snapshots[0].sha, lastAttemptedSha: snapshots[0].sha, failure: nil, history: snapshots)
                kustomizations.append(kustomization)
                objects.append(FluxYAML.kustomization(kustomization, namespace: namespace))
            }
        }
        return SandboxWorld(
            kustomizations: kustomizations, providerUIDs: uids, githubToken: token, seededStatuses: [],
            fixtures: objects.joined(separator: "\n---\n"))
    }
}
