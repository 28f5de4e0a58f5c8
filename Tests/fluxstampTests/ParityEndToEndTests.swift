import FluxstampTesting
import Foundation
import Testing

/// Parity with notification-controller through the built binary (issue 9, items 1, 3, 4 and 10): the
/// Kubernetes API emulator, a real git repository and the GitHub (and Azure DevOps) emulators;
/// assertions are on what a user sees on the forge.
@Suite(.serialized) struct ParityEndToEndTests {
    /// A Kustomization YAML with annotations, in a namespace, on a source.
    static func kustomization(
        _ name: String, namespace: String = "flux-system", source: String = "fleet",
        annotations: [String: String] = [:], ready: (status: String, reason: String, message: String),
        applied: String, attempted: String
    ) -> String {
        let notes = annotations.isEmpty ? "{}" : "{" + annotations.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
        return """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: \(name), namespace: \(namespace), uid: \(UUID().uuidString.lowercased()), annotations: \(notes)}
            spec: {interval: 10m0s, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: \(source), namespace: flux-system}}
            status:
              conditions:
              - {type: Ready, status: "\(ready.status)", reason: \(ready.reason),
                  message: "\(ready.message)", lastTransitionTime: "2026-11-20T10:00:00Z"}
              lastAppliedRevision: main@sha1:\(applied)
              lastAttemptedRevision: main@sha1:\(attempted)
            """
    }

    @Test("1: ArtifactFailed at a new source revision: the failure goes on the new commit; the live commit stays green")
    func artifactFailedKeepsLiveCommitGreen() async throws {
        let world = try await SyncWorld { c in
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: fleet-next, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-0000000000a1}
            spec: {interval: 1m0s, url: "https://github.com/acme/fleet", ref: {branch: main}}
            status:
              artifact: {digest: "sha256:\(String(repeating: "c", count: 64))", revision: "main@sha1:\(c[6])",
                  path: "x", url: "http://source-controller/x", lastUpdateTime: "2026-11-20T10:00:00Z"}
            ---
            \(Self.kustomization("apps", source: "fleet-next",
                                 ready: ("False", "ArtifactFailed",
                                         "kustomization path not found: stat /tmp/kustomization-1/apps: no such file"),
                                 applied: c[5], attempted: c[5]))
            """
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        world.github.seed(
            sha: c[5], context: SyncWorld.appsContext, state: "success", description: "reconciliation succeeded",
            creator: "flux", at: Date(timeIntervalSince1970: 1_700_000_000))
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.statuses(c[5])[SyncWorld.appsContext]?.state == "success", "the live commit stays green")
        #expect(world.statuses(c[5])[SyncWorld.appsContext]?.count == 1, "nothing written on the live commit")
        #expect(world.statuses(c[6])[SyncWorld.appsContext]?.state == "failure")
        #expect(world.statuses(c[6])[SyncWorld.appsContext]?.description == "artifact failed")
        let again = try await world.fluxstamp(["sync"])
        #expect(again.stderr.contains("planned 0"), "\(again.stderr)")
    }

    @Test("3: Azure DevOps under an Alert summary: NC's fluxcd:<summary> status is corrected in place, never doubled under fluxcd")
    func azureGenre() async throws {
        let azure = try await AzureDevOpsEmulator.start(.init(token: "azure-pat"), repositories: ["org/project/repo"])
        defer { Task { await azure.shutdown() } }
        let world = try await SyncWorld { c in
            """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: azure, namespace: flux-system, uid: 3a3a3a3a-1111-4222-8333-444444444444}
            spec: {type: azuredevops, address: "https://dev.azure.com/org/project/_git/repo", secretRef: {name: azure-token}}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: azure-token, namespace: flux-system}
            type: Opaque
            data: {token: \(Data("azure-pat".utf8).base64EncodedString())}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: azure-prod, namespace: flux-system}
            spec: {providerRef: {name: azure}, eventSeverity: info, summary: prod, eventSources: [{kind: Kustomization, name: apps}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: azure-plain, namespace: flux-system}
            spec: {providerRef: {name: azure}, eventSeverity: info, eventSources: [{kind: Kustomization, name: infra}]}
            ---
            \(Self.kustomization("apps", ready: ("True", "ReconciliationSucceeded", "Applied revision"), applied: c[5], attempted: c[5]))
            ---
            \(Self.kustomization("infra", ready: ("True", "ReconciliationSucceeded", "Applied revision"), applied: c[5], attempted: c[5]))
            """
        }
        defer { Task { await world.stop() } }
        try """
        clusterName: e2e
        forges:
          - host: github.com
            apiBaseURL: \(world.github.baseURL)/api/v3
            writesPerMinute: 0
          - host: dev.azure.com
            apiBaseURL: \(azure.baseURL)/org
            writesPerMinute: 0
        repositories:
          - url: https://github.com/acme/fleet
            path: \(world.repo.path)
        cacheDir: \(world.directory.path)/cache
        """.write(to: world.config, atomically: true, encoding: .utf8)
        let c = world.commits
        let (apps, infra) = ("kustomization/apps/3a3a3a3a", "kustomization/infra/3a3a3a3a")
        // NC's failure from before the recovery, under the Alert's summary genre.
        azure.seed(
            sha: c[5], name: apps, genre: "fluxcd:prod", state: "error", description: "health check failed", creator: "flux",
            at: Date(timeIntervalSince1970: 1_700_000_000))
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        func latest(_ genre: String, _ name: String) -> EmulatedStatus? {
            azure.statuses(of: c[5]).first { $0.genre == genre && $0.name == name }
        }
        #expect(latest("fluxcd:prod", apps)?.state == "succeeded", "NC's status is corrected in its own genre")
        #expect(latest("fluxcd", apps) == nil, "never a parallel fluxcd status NC does not read")
        #expect(latest("fluxcd", infra)?.state == "succeeded", "without a summary the genre is fluxcd")
        #expect(latest("fluxcd:prod", infra) == nil)
        let again = try await world.fluxstamp(["sync"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("planned 0"), "the corrected status is read back under its genre: \(again.stderr)")
    }

    @Test("4: event.toolkit.fluxcd.io/commit moves the status to that commit, as NC posts it")
    func commitAnnotation() async throws {
        let world = try await SyncWorld { c in
            Self.kustomization(
                "apps", annotations: ["event.toolkit.fluxcd.io/commit": c[3]],
                ready: ("True", "ReconciliationSucceeded", "Applied revision"), applied: c[5], attempted: c[5])
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.statuses(c[3])[SyncWorld.appsContext]?.state == "success")
        #expect(world.statuses(c[5]).isEmpty, "NC never posts on the applied revision while the annotation overrides it")
    }

    @Test("4: an Alert's inclusionList decides what its Provider gets, as NC filters the event message")
    func alertInclusionList() async throws {
        let world = try await SyncWorld { c in
            """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: filtered, namespace: flux-system, uid: 7b7b7b7b-1111-4222-8333-444444444444}
            spec: {type: github, address: "https://github.com/acme/fleet", secretRef: {name: github-token}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: timeouts, namespace: flux-system}
            spec: {providerRef: {name: filtered}, eventSeverity: info,
                inclusionList: ["timeout"], eventSources: [{kind: Kustomization, name: "*"}]}
            ---
            \(Self.kustomization("apps", ready: ("False", "HealthCheckFailed", "timeout waiting for Deployment/apps/web"),
                                 applied: c[5], attempted: c[6]))
            ---
            \(Self.kustomization("db", ready: ("False", "BuildFailed", "kustomize build failed"), applied: c[5], attempted: c[6]))
            """
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.statuses(c[6])["kustomization/apps/7b7b7b7b"]?.state == "failure", "the message matches: posted")
        #expect(world.statuses(c[6])["kustomization/db/7b7b7b7b"] == nil, "the message does not match: NC posts nothing")
        #expect(world.statuses(c[5])["kustomization/apps/7b7b7b7b"] == nil, "a success message never says timeout")
        #expect(world.statuses(c[6])["kustomization/db/0c9c2e41"]?.state == "failure", "the unfiltered Provider gets everything")
    }

    @Test("4: --no-cross-namespace-refs: an Alert in flux-system posts nothing for team-a, and neither does fluxstamp")
    func noCrossNamespaceRefs() async throws {
        let world = try await SyncWorld { c in
            """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: team-a, namespace: flux-system}
            spec:
              providerRef: {name: github}
              eventSeverity: info
              eventSources: [{kind: Kustomization, name: "*", namespace: team-a}]
            ---
            \(Self.kustomization("web", namespace: "team-a", ready: ("True", "ReconciliationSucceeded", "Applied revision"),
                                 applied: c[5], attempted: c[5]))
            """
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let denied = try await world.fluxstamp(["sync", "--no-cross-namespace-refs"])
        #expect(world.statuses(c[5]).isEmpty, "\(denied.stderr)")
        #expect(denied.stderr.contains("--no-cross-namespace-refs"))
        let allowed = try await world.fluxstamp(["sync"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(world.statuses(c[5])["kustomization/web/0c9c2e41"]?.state == "success")
    }

    @Test("10: commitStatusExpr gives NC's context (also for the docs example); an expression on the event message is not guessed")
    func commitStatusExpression() async throws {
        let world = try await SyncWorld { c in
            """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: expr, namespace: flux-system, uid: 5e5e5e5e-1111-4222-8333-444444444444}
            spec:
              type: github
              address: https://github.com/acme/fleet
              secretRef: {name: github-token}
              commitStatusExpr: >-
                (event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.severity + '/'
                + provider.metadata.uid.split('-')[0]).lowerAscii()
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: by-message, namespace: flux-system, uid: 6f6f6f6f-1111-4222-8333-444444444444}
            spec:
              type: github
              address: https://github.com/acme/fleet
              secretRef: {name: github-token}
              commitStatusExpr: "'flux/' + event.message"
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: expr, namespace: flux-system}
            spec: {providerRef: {name: expr}, eventSeverity: info, eventSources: [{kind: Kustomization, name: "*"}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: docs, namespace: flux-system, uid: 4d4d4d4d-1111-4222-8333-444444444444}
            spec:
              type: github
              address: https://github.com/acme/fleet
              secretRef: {name: github-token}
              commitStatusExpr: >-
                (event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.foo + '/'
                + provider.metadata.uid.split('-').first().value()).lowerAscii()
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: docs, namespace: flux-system}
            spec:
              providerRef: {name: docs}
              eventSeverity: info
              eventMetadata: {foo: Bar}
              eventSources: [{kind: Kustomization, name: "*"}]
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: by-message, namespace: flux-system}
            spec: {providerRef: {name: by-message}, eventSeverity: info, eventSources: [{kind: Kustomization, name: "*"}]}
            ---
            \(Self.kustomization("apps", ready: ("True", "ReconciliationSucceeded", "Applied revision"), applied: c[5], attempted: c[5]))
            """
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let plan = try await world.fluxstamp(["plan"])
        #expect(plan.stdout.contains("event.message"), "the skip names what cannot be known: \(plan.stdout)")
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let contexts = world.statuses(c[5])
        #expect(contexts["kustomization/apps/info/5e5e5e5e"]?.state == "success")
        #expect(contexts["kustomization/apps/bar/4d4d4d4d"]?.state == "success", "the example of NC's Provider docs: \(contexts.keys)")
        #expect(contexts[SyncWorld.appsContext]?.state == "success", "the default Provider still gets its own")
        #expect(contexts.keys.allSatisfy { !$0.hasPrefix("flux/") }, "never a guessed context")
    }
}
