import Foundation

/// The default world: the fleet repository's four Kustomizations, its GitRepository, a GitHub
/// Provider and Alert, and the statuses notification-controller left on GitHub before an outage.
enum FleetWorld {
    static let namespace = "flux-system"
    static let repositoryURL = "https://github.com/acme/fleet"
    /// The Provider's uid: its commit statuses are `kustomization/<name>/0c9c2e41`.
    static let providerUID = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"

    /// How one Kustomization's story is told, in indices of the commits touching its path
    /// (0 = the newest such commit).
    struct Story {
        var name: String
        var area: String
        var interval: String
        var applied: Int
        var attempted: Int
        var failure: (reason: String, message: String)?
        /// History snapshots, newest first: index and whether it failed its health check.
        var history: [(index: Int, failed: Bool)]
        /// When it last reconciled: nil = at the anchor; else just before this touching commit.
        var lastReconciledBefore: Int?
        /// What NC posted: successes and failures that match the snapshots.
        var posted: [Int]
        /// A failure NC posted for a commit the cluster now reports applied successfully.
        var ghostFailure: Int?
    }

    static let healthCheckMessage =
        "health check failed after 5m0s: timeout waiting for: [HelmRelease/monitoring/kube-prometheus-stack status: 'InProgress']"

    static let stories: [Story] = [
        // Staging applied the newest commit; one earlier rollout failed its health check.
        Story(
            name: "apps-staging", area: "apps/staging", interval: "5m", applied: 0, attempted: 0, failure: nil,
            history: [(0, false), (1, true), (3, false), (4, false), (6, false)], lastReconciledBefore: nil,
            posted: [1, 3, 4, 6], ghostFailure: nil),
        // Production reconciles hourly: two newer commits are not deployed yet. NC's failure for
        // the applied commit was never replaced by its success (a ghost failure).
        Story(
            name: "apps-production", area: "apps/production", interval: "1h", applied: 2, attempted: 2, failure: nil,
            history: [(2, false), (3, false), (5, false), (7, false)], lastReconciledBefore: 1,
            posted: [5, 7], ghostFailure: 2),
        // The newest infrastructure change fails its health check right now.
        Story(
            name: "infra-staging", area: "infrastructure/staging", interval: "10m", applied: 1, attempted: 0,
            failure: ("HealthCheckFailed", healthCheckMessage),
            history: [(0, true), (1, false), (2, false), (4, false)], lastReconciledBefore: nil,
            posted: [2, 4], ghostFailure: nil),
        Story(
            name: "infra-production", area: "infrastructure/production", interval: "1h", applied: 0, attempted: 0, failure: nil,
            history: [(0, false), (1, false), (3, false)], lastReconciledBefore: nil,
            posted: [3], ghostFailure: nil),
    ]

    static func context(_ name: String) -> String { "kustomization/\(name)/\(providerUID.prefix(8))" }

    /// Builds the world over the imported fleet history (`marks`: mark → sha).
    static func make(history: HistoryBuilder, marks: [Int: String], token: String) -> SandboxWorld {
        let firstParent = history.entries.filter(\.firstParent)
        let anchor = (firstParent.last?.time ?? 0) + 20 * 60
        var kustomizations: [SandboxKustomization] = []
        var seeds: [SeededStatus] = []
        for story in stories {
            let touching = Array(firstParent.filter { $0.areas.contains(story.area) }.reversed())
            func sha(_ i: Int) -> String { marks[touching[i].mark]! }
            func deployed(_ i: Int) -> Int { touching[i].time + 120 }
            let last = story.lastReconciledBefore.map { touching[$0].time - 60 } ?? anchor
            let snapshots = story.history.enumerated().map { position, entry in
                SandboxSnapshot(
                    sha: sha(entry.index), status: entry.failed ? "HealthCheckFailed" : "ReconciliationSucceeded",
                    firstReconciled: deployed(entry.index),
                    lastReconciled: position == 0 ? last : deployed(entry.index) + 180,
                    total: position == 0 ? max(1, (last - deployed(entry.index)) / 300) : 1)
            }
            kustomizations.append(
                SandboxKustomization(
                    name: story.name, path: "./\(story.area)", source: "fleet", repositoryURL: repositoryURL, interval: story.interval,
                    context: context(story.name), lastAppliedSha: sha(story.applied), lastAttemptedSha: sha(story.attempted),
                    failure: story.failure, history: snapshots))
            for index in story.posted {
                let failed = story.history.first { $0.index == index }?.failed ?? false
                seeds.append(
                    SeededStatus(
                        repository: "acme/fleet", sha: sha(index), context: context(story.name),
                        state: failed ? "failure" : "success",
                        description: failed ? "health check failed" : "reconciliation succeeded",
                        time: deployed(index) + 30, isGhostFailure: false))
            }
            if let ghost = story.ghostFailure {
                seeds.append(
                    SeededStatus(
                        repository: "acme/fleet", sha: sha(ghost), context: context(story.name), state: "failure",
                        description: "health check failed", time: deployed(ghost) + 30, isGhostFailure: true))
            }
        }
        // CI ran on every commit of main, long before any deployment.
        for entry in firstParent {
            seeds.append(
                SeededStatus(
                    repository: "acme/fleet", sha: marks[entry.mark]!, context: "ci/kustomize-build", state: "success",
                    description: "kustomize build passed", time: entry.time + 240, isGhostFailure: false))
        }
        let head = marks[firstParent.last!.mark]!
        let objects =
            [
                FluxYAML.gitRepository(
                    name: "fleet", namespace: namespace, url: repositoryURL, headSha: head, time: firstParent.last!.time + 60),
                FluxYAML.provider(name: "github", namespace: namespace, uid: providerUID, address: repositoryURL, secret: "github-token"),
                FluxYAML.alert(name: "github-status", namespace: namespace, provider: "github"),
                FluxYAML.secret(name: "github-token", namespace: namespace, token: token),
            ] + kustomizations.map { FluxYAML.kustomization($0, namespace: namespace) }
        return SandboxWorld(
            kustomizations: kustomizations, providerUIDs: ["github": providerUID], githubToken: token,
            seededStatuses: seeds.sorted { ($0.time, $0.context) < ($1.time, $1.context) },
            fixtures: objects.joined(separator: "\n---\n"))
    }
}
