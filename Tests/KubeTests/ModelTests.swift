import FluxstampTesting
import Foundation
import Testing

@testable import Kube

@Suite struct ModelTests {
    @Test func decodesFixturesLeniently() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let (kustomizations, oci) = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    (
                        try await api.list(Kustomization.self, .kustomizations).items,
                        try await api.get(OCIRepository.self, .ociRepositories, namespace: "infra", name: "platform")
                    )
                }
                let fleet = try #require(kustomizations.first { $0.metadata.name == "flux-system" })
                #expect(fleet.status?.history?.count == 3)
                #expect(fleet.status?.history?.last?.lastReconciledStatus == "HealthCheckFailed")
                #expect(fleet.status?.history?.first?.lastReconciled == RFC3339.parse("2026-08-01T10:15:00Z"))
                #expect(fleet.readyCondition?.reason == "ReconciliationSucceeded")
                let infra = try #require(kustomizations.first { $0.metadata.name == "infra-controllers" })
                #expect(infra.isSuspended)
                #expect(infra.status?.lastAppliedOriginRevision == "v2.3.0@sha1:d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5")
                #expect(oci.originSource == "https://github.com/acme/platform")
                #expect(oci.originRevision == "v2.3.0@sha1:d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5")
            }
        }
    }

    /// An object missing a required field is reported by name and field; the others still load.
    @Test func missingRequiredFieldIsReportedNotFatal() async throws {
        try await withEmulator { emulator in
            await emulator.store.update(kind: "Kustomization", namespace: "apps", name: "podinfo") { object in
                object["spec"]?["sourceRef"] = nil
            }
            try await withTemporaryDirectory { dir in
                let result = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    try await api.list(Kustomization.self, .kustomizations)
                }
                #expect(result.items.count == 5)
                #expect(
                    result.invalid.map(\.description) == [
                        "Kustomization apps/podinfo: spec.sourceRef is required but missing; fix the object or upgrade fluxstamp"
                    ])
            }
        }
    }

    /// `status.history` times are dates whether the writer used fractional seconds or not.
    @Test(arguments: [
        ("2026-08-01T10:05:00Z", 1_785_578_700.0),
        ("2026-08-01T10:05:00.250Z", 1_785_578_700.25),
        ("2026-08-01T12:05:00+02:00", 1_785_578_700.0),
    ])
    func historyTimesAreDates(text: String, seconds: Double) throws {
        let json = """
            {"digest": "sha256:1", "firstReconciled": "\(text)", "lastReconciled": "\(text)",
             "lastReconciledStatus": "ReconciliationSucceeded", "totalReconciliations": 2}
            """
        let snapshot = try JSONDecoder().decode(Kustomization.Snapshot.self, from: Data(json.utf8))
        #expect(snapshot.firstReconciled.timeIntervalSince1970 == seconds)
        #expect(snapshot.lastReconciled.timeIntervalSince1970 == seconds)
    }

    /// A history time that is not RFC 3339 makes that Kustomization invalid, named by field; the
    /// rest of the list still loads.
    @Test func malformedHistoryTimeIsReportedByField() async throws {
        try await withEmulator { emulator in
            await emulator.store.update(kind: "Kustomization", namespace: "apps", name: "podinfo") { object in
                object["status"]?["history"] = .array([
                    .object([
                        "digest": .string("sha256:1"), "firstReconciled": .string("yesterday"),
                        "lastReconciled": .string("2026-08-01T10:05:00Z"),
                        "lastReconciledStatus": .string("ReconciliationSucceeded"), "totalReconciliations": .int(1),
                    ])
                ])
            }
            try await withTemporaryDirectory { dir in
                let result = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    try await api.list(Kustomization.self, .kustomizations)
                }
                #expect(result.items.count == 5)
                #expect(
                    result.invalid.map(\.description)
                        == [
                            "Kustomization apps/podinfo: status.history[0].firstReconciled is not an RFC 3339 time (yesterday); fix the "
                                + "object or upgrade fluxstamp"
                        ])
            }
        }
    }
}
