import FluxstampTesting
import Foundation
import Testing

@testable import Kube

/// Kubernetes Events as an observation source: the reconcile outcomes kustomize-controller records
/// on Kustomizations, read with a field selector, paginated, and never fatal.
@Suite struct EventTests {
    func kustomizations(_ api: FluxAPI) async throws -> [Kustomization] {
        try await api.list(Kustomization.self, .kustomizations).items
    }

    @Test func readsTheFixturesEventsPerKustomization() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let events = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    await api.kustomizationEvents(for: try await kustomizations(api), namespace: nil)
                }
                #expect(events.problems.isEmpty)
                #expect(events.byKustomization.keys.sorted() == ["apps/podinfo", "flux-system/flux-system"])
                let fleet = events.events(namespace: "flux-system", name: "flux-system")
                #expect(fleet.map(\.reason) == ["HealthCheckFailed", "ReconciliationSucceeded"])
                #expect(fleet.map(\.type) == [.warning, .normal])
                #expect(
                    fleet.map(\.revision) == [
                        "main@sha1:a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4", "main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e",
                    ])
                #expect(fleet.map(\.count) == [2, 1])
                #expect(fleet.map(\.isCommitStatusUpdate) == [false, true])
                #expect(fleet[0].time == RFC3339.parse("2026-08-01T10:02:00Z"))
                #expect(fleet[0].firstTime == RFC3339.parse("2026-08-01T09:58:00Z"))
                #expect(fleet[1].message == "Reconciliation finished in 1.204s, next run in 10m0s")
                // An events.k8s.io/v1 writer: eventTime and series, no lastTimestamp.
                let podinfo = try #require(events.events(namespace: "apps", name: "podinfo").first)
                #expect(podinfo.isFailure && podinfo.count == 4)
                #expect(podinfo.time == RFC3339.parse("2026-08-01T10:40:00.5Z"))
                #expect(podinfo.firstTime == RFC3339.parse("2026-08-01T10:10:00.25Z"))
                #expect(
                    emulator.controls.requests.contains {
                        $0.hasPrefix("GET /api/v1/events?") && $0.contains("fieldSelector=involvedObject.kind%3DKustomization")
                    })
            }
        }
    }

    /// The inventory attaches events to its entries when asked, and not otherwise.
    @Test func inventoryCarriesEventsWhenAsked() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let (with, without) = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    (
                        try await FluxInventory.read(api, namespace: nil, labelSelector: nil, events: true),
                        try await FluxInventory.read(api, namespace: nil, labelSelector: nil)
                    )
                }
                let fleet = try #require(with.entries.first { $0.kustomization.metadata.name == "flux-system" })
                #expect(fleet.events.map(\.reason) == ["HealthCheckFailed", "ReconciliationSucceeded"])
                #expect(with.problems.isEmpty)
                #expect(without.entries.allSatisfy { $0.events.isEmpty })
            }
        }
    }

    /// Only the Kustomizations asked about; one namespace is one namespaced list.
    @Test func onlyTheSelectedKustomizations() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let events = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    let apps = try await api.list(Kustomization.self, .kustomizations, namespace: "apps").items
                    return await api.kustomizationEvents(for: apps, namespace: "apps")
                }
                #expect(events.byKustomization.keys.sorted() == ["apps/podinfo"])
                #expect(
                    emulator.controls.requests.filter { $0.contains("/events?") }.allSatisfy {
                        $0.hasPrefix("GET /api/v1/namespaces/apps/events?")
                    })
            }
        }
    }

    /// 25 events in pages of 10; the continue token expires once (410 Gone): the list restarts
    /// and every event is read exactly once.
    @Test func paginatesWithAnExpiringToken() async throws {
        let many = (0..<25).map { i in
            """
            apiVersion: v1
            kind: Event
            metadata: {name: "flux-system.\(String(i).leftPad(3))", namespace: flux-system,
                       annotations: {kustomize.toolkit.fluxcd.io/revision: "main@sha1:\(String(repeating: "\(i % 10)", count: 40))"}}
            involvedObject: {apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, name: flux-system, namespace: flux-system}
            reason: ReconciliationSucceeded
            message: "Reconciliation finished in 1s, next run in 10m0s"
            type: Normal
            count: 1
            lastTimestamp: "2026-08-01T10:\(String(i).leftPad(2)):00Z"
            """
        }.joined(separator: "\n---\n")
        try await withEmulator(fixtures: [KubeFixtures.kustomizations, many]) { emulator in
            try await withTemporaryDirectory { dir in
                emulator.controls.expireNextContinueToken()
                let events = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir, pageSize: 10)) { api in
                    await api.kustomizationEvents(for: try await kustomizations(api), namespace: nil)
                }
                let fleet = events.events(namespace: "flux-system", name: "flux-system")
                #expect(fleet.count == 25)
                #expect(Set(fleet.map(\.eventName)).count == 25)
                #expect(
                    fleet.first?.time == RFC3339.parse("2026-08-01T10:00:00Z") && fleet.last?.time == RFC3339.parse("2026-08-01T10:24:00Z"))
                #expect(emulator.controls.requests.filter { $0.contains("/events?") && $0.contains("continue=") }.count >= 2)
            }
        }
    }

    /// A cluster-wide denial falls back to the Kustomizations' namespaces; a denial there is a
    /// problem naming the verb and resource, not an error.
    @Test func forbiddenIsAProblemNeverFatal() async throws {
        try await withEmulator { emulator in
            emulator.controls.deny(.init(verb: "list", resource: "events", namespace: nil))
            try await withTemporaryDirectory { dir in
                let (all, denied) = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    let ks = try await kustomizations(api)
                    return (ks, await api.kustomizationEvents(for: ks, namespace: nil))
                }
                #expect(all.count == 6)
                #expect(denied.byKustomization.isEmpty)
                let namespaces = Set(all.compactMap(\.metadata.namespace))
                // The cluster-wide denial leads to the per-namespace lists; each denial there is one problem.
                #expect(denied.problems.count == namespaces.count)
                #expect(
                    denied.problems.map(\.description).allSatisfy { line in
                        line.contains("RBAC denied list on events in namespace ") && line.contains("grant list on events")
                    })
            }
        }
    }

    @Test func clusterWideDenialFallsBackToNamespaces() async throws {
        try await withEmulator { emulator in
            // Denied only at the cluster scope: namespaced lists are allowed.
            emulator.controls.deny(.init(verb: "list", resource: "events", clusterScopeOnly: true))
            try await withTemporaryDirectory { dir in
                let events = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    await api.kustomizationEvents(for: try await kustomizations(api), namespace: nil)
                }
                #expect(events.problems.isEmpty)
                #expect(events.byKustomization.keys.sorted() == ["apps/podinfo", "flux-system/flux-system"])
                #expect(emulator.controls.requests.contains { $0.hasPrefix("GET /api/v1/namespaces/apps/events?") })
            }
        }
    }

    /// The emulator answers an unsupported field selector the way the API server does.
    @Test(arguments: [
        ("/api/v1/events", "involvedObject.colour=red", "field label not supported: involvedObject.colour"),
        (
            "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations", "spec.path=./x",
            "\"spec.path\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        ),
    ])
    func unsupportedFieldSelectorIs400(path: String, selector: String, message: String) async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let answer = await errorMessage {
                    try await using(api) {
                        _ = try await $0.client.get(path, query: [("fieldSelector", selector)], purpose: RequestPurpose(verb: "list"))
                    }
                }
                #expect(answer?.contains(message) == true, "\(answer ?? "")")
            }
        }
    }
}
