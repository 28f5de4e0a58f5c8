import Crypto
import FluxstampTesting
import Foundation
import Testing

/// More planner scenarios end to end (cluster API → built binary → forge emulator): corrections,
/// reports, OCI origins, several Kustomizations on one repository, several clusters.
@Suite(.serialized) struct SyncScenarioTests {
    static let digest = "latest@sha256:" + String(repeating: "4e", count: 32)

    /// infra (flux-system, covered by the Provider): health check now failing at c7, which the
    /// forge shows as a success. apps: applied c6; history names a force-pushed commit.
    /// platform (flux-system, OCI source whose origin is the fleet at c5).
    /// web and db (namespace team, no Alert there): template contexts per cluster.
    static func world() async throws -> SyncWorld {
        let missing = String(repeating: "d", count: 40)
        let world = try await SyncWorld { c in
            [
                SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                    history: [
                        (c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z"),
                        (missing, "ReconciliationSucceeded", "2026-11-20T09:00:00Z"),
                    ]),
                SyncWorld.kustomization("infra", path: "./infra", ready: ("False", "HealthCheckFailed"), applied: c[7], attempted: c[7]),
                """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: OCIRepository
                metadata:
                  name: platform
                  namespace: flux-system
                  uid: 7a7a7a7a-0000-4000-8000-000000000009
                spec:
                  interval: 10m
                  url: oci://ghcr.io/acme/platform
                  ref:
                    tag: latest
                status:
                  artifact:
                    digest: sha256:\(String(repeating: "4e", count: 32))
                    lastUpdateTime: "2026-11-20T10:00:00Z"
                    path: ocirepository/flux-system/platform/latest.tar.gz
                    revision: \(digest)
                    url: http://source-controller.flux-system.svc.cluster.local./ocirepository/flux-system/platform/latest.tar.gz
                    metadata:
                      org.opencontainers.image.source: https://github.com/acme/fleet
                      org.opencontainers.image.revision: main@sha1:\(c[5])
                """,
                SyncWorld.kustomization("platform", path: "./", ready: ("True", "ReconciliationSucceeded"), applied: nil, attempted: nil)
                    .replacingOccurrences(of: "kind: GitRepository\n    name: fleet", with: "kind: OCIRepository\n    name: platform")
                    .replacingOccurrences(
                        of: "  observedGeneration: 1\n",
                        with:
                            "  observedGeneration: 1\n  lastAppliedRevision: \(digest)\n  "
                                + "lastAttemptedRevision: \(digest)\n  lastAppliedOriginRevision: main@sha1:\(c[5])\n"
                    ),
                SyncWorld.kustomization("web", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6])
                    .replacingOccurrences(of: "namespace: flux-system", with: "namespace: team")
                    .replacingOccurrences(of: "    name: fleet", with: "    name: fleet\n    namespace: flux-system"),
            ].joined(separator: "\n---\n")
        }
        // The forge shows a success for infra's c7 from before the health check started failing.
        world.github.seed(
            sha: world.commits[7], context: SyncWorld.infraContext, state: "success",
            description: "reconciliation succeeded", creator: "flux", at: Date(timeIntervalSince1970: 1_700_000_000))
        let token = world.directory.appendingPathComponent("github-token")
        try "e2e-forge-token\n".write(to: token, atomically: true, encoding: .utf8)
        var config = try String(contentsOf: world.config, encoding: .utf8)
        config = config.replacingOccurrences(of: "    writesPerMinute: 0", with: "    writesPerMinute: 0\n    tokenFile: \(token.path)")
        try config.write(to: world.config, atomically: true, encoding: .utf8)
        return world
    }

    @Test("corrections, reports, OCI origins and per-cluster contexts reach the forge")
    func scenarios() async throws {
        let world = try await Self.world()
        defer { Task { await world.stop() } }
        let c = world.commits

        let plan = try await world.fluxstamp(["plan", "--cluster-name", "eu"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("wrong success"))
        #expect(plan.stdout.contains("is not in https://github.com/acme/fleet (force-pushed away"), "\(plan.stdout)")

        let eu = try await world.fluxstamp(["sync", "--cluster-name", "eu"])
        #expect(eu.status == 0, "\(eu.stderr)")
        // A success for a revision now failing its health check is replaced by the failure.
        #expect(world.statuses(c[7])[SyncWorld.infraContext]?.state == "failure")
        // The OCI artifact's origin revision names the commit; the Provider covers platform too.
        #expect(world.statuses(c[5])["kustomization/platform/0c9c2e41"]?.state == "success")
        // web has no Alert in its namespace: the template context, with this cluster's name.
        #expect(world.statuses(c[6])["kustomization/web/eu"]?.state == "success")
        // Several Kustomizations on one commit each keep their own context.
        #expect(world.statuses(c[6])[SyncWorld.appsContext]?.state == "success")

        let us = try await world.fluxstamp(["sync", "--cluster-name", "us"])
        #expect(us.status == 0, "\(us.stderr)")
        #expect(world.statuses(c[6])["kustomization/web/us"]?.state == "success")
        #expect(world.statuses(c[6])["kustomization/web/eu"]?.count == 1, "the other cluster's status is untouched")
        #expect(us.stderr.contains("written 1,"), "\(us.stderr)")
    }

    @Test("the worlds these tests build are valid Flux objects (checked against the CRDs)")
    func worldsMatchTheCRDs() async throws {
        for make in [Self.world, SyncEndToEndTests.outageWorld] {
            let world = try await make()
            let problems = try FluxCRDs.problems(inYAML: world.fixtures)
            await world.stop()
            #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
        }
    }

    @Test("Providers that cannot be read (RBAC): nothing is written on a guessed context; the denial is named")
    func unreadableProvidersWriteNothing() async throws {
        let world = try await Self.world()  // has a tokenFile, so a guessed context could be written
        let before = world.writes
        defer { Task { await world.stop() } }
        world.kube.controls.deny(.init(verb: "list", resource: "providers"))
        let result = try await world.fluxstamp(["sync"])
        #expect(result.status == 3, "an RBAC denial exits 3\n\(result.stderr)")
        #expect(world.writes == before, "no status under a template context NC never uses")
        #expect(result.stderr.contains("providers"), "\(result.stderr)")
        #expect(result.stderr.contains("not written"), "\(result.stderr)")
    }

    @Test("a Bitbucket Data Center Provider: statuses keyed by the SHA-1 of NC's id, read back by key, converged on rerun")
    func bitbucketDataCenter() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        let bitbucket = try await BitbucketServerEmulator.start(
            ForgeEmulatorConfiguration(token: "e2e-forge-token"),
            repositories: ["ACME/fleet"])
        defer {
            Task {
                await bitbucket.shutdown(); await world.stop()
            }
        }
        try await world.kube.store.load(
            yaml: """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata:
                  name: github
                  namespace: flux-system
                  uid: \(SyncWorld.providerUID)
                spec:
                  type: bitbucketserver
                  address: \(bitbucket.address("ACME/fleet"))
                  secretRef:
                    name: github-token
                """)
        let first = try await world.fluxstamp(["sync"])
        #expect(first.status == 0, "\(first.stderr)")
        let key = Insecure.SHA1.hash(data: Data(SyncWorld.appsContext.utf8)).map { String(format: "%02x", $0) }.joined()
        let stored = bitbucket.statuses(of: world.commits[6])
        #expect(stored.first { $0.context == key }?.state == "SUCCESSFUL", "\(stored)")
        #expect(world.writes == 0, "nothing went to GitHub")
        let posts = { bitbucket.core.requests.filter { $0.method == "POST" }.count }
        let written = posts()
        #expect(written == 5)
        let again = try await world.fluxstamp(["sync"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(posts() == written, "the rerun read every status back by key and wrote nothing")
    }

    @Test("one forge repository failing never stops the others; the run exits 1 and says why")
    func failingRepositoryIsolated() async throws {
        let world = try await SyncWorld { c in
            [
                SyncWorld.kustomization("apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6]),
                // A Provider whose address the forge does not know (404): its writes fail alone.
                SyncWorld.kustomization(
                    "other", path: "./infra", ready: ("True", "ReconciliationSucceeded"), applied: c[7], attempted: c[7]
                )
                .replacingOccurrences(of: "namespace: flux-system", with: "namespace: other")
                .replacingOccurrences(of: "    name: fleet", with: "    name: fleet\n    namespace: flux-system"),
                """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata:
                  name: github
                  namespace: other
                  uid: 99999999-7b3a-4f5e-9d2a-1f2e3d4c5b6a
                spec:
                  type: github
                  address: https://github.com/acme/unknown
                  secretRef:
                    name: github-token
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata:
                  name: commit-status
                  namespace: other
                spec:
                  providerRef:
                    name: github
                  eventSources:
                  - kind: Kustomization
                    name: "*"
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: github-token
                  namespace: other
                type: Opaque
                data:
                  token: \(Data("e2e-forge-token".utf8).base64EncodedString())
                """,
            ].joined(separator: "\n---\n")
        }
        defer { Task { await world.stop() } }
        let result = try await world.fluxstamp(["sync"])
        #expect(result.status == 1)
        #expect(world.statuses(world.commits[6])[SyncWorld.appsContext]?.state == "success")
        #expect(result.stderr.contains("acme/unknown"), "\(result.stderr)")
        #expect(!result.stderr.contains("e2e-forge-token"))
    }
}
