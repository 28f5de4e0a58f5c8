import FluxstampTesting
import Foundation
import Testing

@testable import Kube

@Suite struct ListTests {
    /// 1,000 Kustomizations in pages of 100; the continue token expires mid-list (410 Gone) and the
    /// list restarts once and still returns every object exactly once.
    @Test func paginatesOverAThousandObjectsWithAnExpiringToken() async throws {
        let many = (0..<1000).map { i in
            """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: app-\(String(i).leftPad(4)), namespace: ns-\(i % 7), labels: {batch: "\(i % 2 == 0 ? "even" : "odd")"}}
            spec: {interval: 5m, prune: true, path: ./apps/\(i), sourceRef: {kind: GitRepository, name: fleet}}
            """
        }.joined(separator: "\n---\n")
        try await withEmulator(fixtures: [many]) { emulator in
            try await withTemporaryDirectory { dir in
                emulator.controls.expireNextContinueToken()
                let (all, even) = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir, pageSize: 100)) { api in
                    (
                        try await api.list(Kustomization.self, .kustomizations),
                        try await api.list(Kustomization.self, .kustomizations, labelSelector: "batch=even")
                    )
                }
                #expect(all.items.count == 1000)
                #expect(Set(all.items.map(\.metadata.qualifiedName)).count == 1000)
                #expect(all.restarts == 1)
                #expect(even.items.count == 500)
                #expect(even.items.allSatisfy { $0.metadata.labels?["batch"] == "even" })
                #expect(emulator.controls.requests.contains { $0.contains("continue=") })
            }
        }
    }

    @Test func tokenExpiringTwiceIsAClearError() async throws {
        let many = (0..<30).map { "apiVersion: v1\nkind: Secret\nmetadata: {name: s\($0), namespace: a}" }.joined(separator: "\n---\n")
        try await withEmulator(fixtures: [many]) { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir, pageSize: 10)
                emulator.controls.expireNextContinueToken(times: 2)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Secret.self, .secrets, namespace: "a") } }
                #expect(
                    message
                        == "\(emulator.url): listing secrets failed twice with 410 Gone (continue token expired); the objects change "
                        + "faster than they can be paged, retry later"
                )
            }
        }
    }

    @Test func readsV1beta2WhereV1IsNotServed() async throws {
        try await withEmulator { emulator in
            emulator.controls.serve(group: "kustomize.toolkit.fluxcd.io", versions: ["v1beta2"])
            emulator.controls.serve(group: "source.toolkit.fluxcd.io", versions: ["v1beta2", "v1beta1"])
            try await withTemporaryDirectory { dir in
                let (version, count) = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    (try await api.version(of: .kustomizations), try await api.list(Kustomization.self, .kustomizations).items.count)
                }
                #expect(version == "v1beta2")
                #expect(count == 6)
                #expect(
                    emulator.controls.requests.contains { $0.hasPrefix("GET /apis/kustomize.toolkit.fluxcd.io/v1beta2/kustomizations?") })
            }
        }
    }

    @Test func unknownVersionsOnlyIsAClearError() async throws {
        try await withEmulator { emulator in
            emulator.controls.serve(group: "notification.toolkit.fluxcd.io", versions: ["v1beta1"])
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Alert.self, .alerts) } }
                #expect(
                    message
                        == "\(emulator.url) serves notification.toolkit.fluxcd.io only at v1beta1, fluxstamp understands v1beta3; upgrade "
                        + "Flux or fluxstamp"
                )
            }
        }
    }

    /// RBAC denials name the verb, the resource and the scope.
    @Test(arguments: [
        (
            nil as String?,
            "RBAC denied list on kustomizations.kustomize.toolkit.fluxcd.io at the cluster scope (403: "
                + "kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User \"fluxstamp\" cannot list resource \"kustomizations\" in "
                + "API group \"kustomize.toolkit.fluxcd.io\" at the cluster scope)"
        ),
        (
            "apps",
            "RBAC denied list on kustomizations.kustomize.toolkit.fluxcd.io in namespace apps (403: "
                + "kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User \"fluxstamp\" cannot list resource \"kustomizations\" in "
                + "API group \"kustomize.toolkit.fluxcd.io\" in the namespace \"apps\")"
        ),
    ])
    func forbiddenNamesVerbResourceAndNamespace(namespace: String?, expected: String) async throws {
        try await withEmulator { emulator in
            emulator.controls.deny(.init(verb: "list", resource: "kustomizations", namespace: namespace))
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage {
                    try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations, namespace: namespace) }
                }
                #expect(
                    message
                        == "\(emulator.url): \(expected); grant list on kustomizations.kustomize.toolkit.fluxcd.io to fluxstamp's "
                        + "identity (see docs: RBAC)"
                )
            }
        }
    }

    @Test func missingCRDSaysFluxIsMissing() async throws {
        try await withEmulator { emulator in
            emulator.controls.uninstall(group: "kustomize.toolkit.fluxcd.io")
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                #expect(
                    message
                        == "\(emulator.url) does not serve kustomizations.kustomize.toolkit.fluxcd.io (404): Flux kustomize-controller is "
                        + "not installed on this cluster; install Flux or point --context at a cluster that runs it"
                )
            }
        }
    }

    @Test func missingObjectIsNotFound() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage {
                    try await using(api) { _ = try await $0.get(GitRepository.self, .gitRepositories, namespace: "apps", name: "gone") }
                }
                #expect(
                    message
                        == "\(emulator.url): gitrepositories.source.toolkit.fluxcd.io apps/gone not found (404); check the name and "
                        + "namespace"
                )
            }
        }
    }

    @Test func retriesServerErrorsAndRateLimits() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                emulator.controls.inject([.init(status: 503), .init(status: 429, retryAfterSeconds: 0), .init(status: 500)])
                let count = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    try await api.list(Kustomization.self, .kustomizations).items.count
                }
                #expect(count == 6)
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                _ = try await api.version(of: .kustomizations)  // discovery answers; the list keeps failing
                emulator.controls.inject(Array(repeating: .init(status: 503), count: 4))
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                #expect(
                    message == "\(emulator.url) answered 503 (The server is currently unable to handle the request) after 4 attempts "
                        + "while listing kustomizations.kustomize.toolkit.fluxcd.io/v1 in all namespaces; the API server or a component "
                        + "behind it "
                        + "(etcd, an aggregated API) is failing; check `kubectl get --raw /readyz?verbose` and retry later")
            }
        }
    }
}

/// A persistent 5xx or 429 says what was being read, with which version and where.
@Suite struct PersistentServerErrorTests {
    @Test(
        arguments: [
            (503, "secrets", "apps", "while listing secrets/v1 in namespace apps; the API server or a component"),
            (
                500, "providers", nil,
                "while listing providers.notification.toolkit.fluxcd.io/v1beta3 in all namespaces; the API server or a component"
            ),
            (
                429, "alerts", "home",
                "while listing alerts.notification.toolkit.fluxcd.io/v1beta3 in namespace home; the API server is throttling"
            ),
        ] as [(Int, String, String?, String)])
    func namesTheList(status: Int, resource: String, namespace: String?, expected: String) async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let type: ResourceType = resource == "secrets" ? .secrets : resource == "providers" ? .providers : .alerts
                _ = try await api.version(of: type)  // discovery succeeds; the list itself keeps failing
                emulator.controls.inject(Array(repeating: .init(status: status, retryAfterSeconds: status == 429 ? 0 : nil), count: 4))
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Secret.self, type, namespace: namespace) } }
                #expect(message?.contains("after 4 attempts " + expected) == true, "\(message ?? "no error")")
            }
        }
    }

    @Test func discoveryFailureSaysItWasDiscovery() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                emulator.controls.inject(Array(repeating: .init(status: 502), count: 4))
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                #expect(
                    message?.contains("while discovering the versions of the API group kustomize.toolkit.fluxcd.io;") == true,
                    "\(message ?? "")")
            }
        }
    }
}

/// Label selectors are checked as the API server parses them, before any request.
@Suite struct LabelSelectorTests {
    @Test(arguments: [
        ("a=b,=c", "found \"=\" after \",\" where a label key was expected"),
        ("a in (b", "the list after a in is not closed with \")\""),
        ("a=b,", "it ends with a comma; remove it or add a requirement after it"),
        ("a b", "found \"b\" after the key \"a\" where an operator (=, ==, !=, in, notin), a comma or the end was expected"),
        ("a=b c", "found \"c\" after a complete requirement where a comma or the end was expected"),
        ("tier=front end!", "found \"end\" after a complete requirement where a comma or the end was expected"),
        ("a in b", "a in must be followed by a parenthesised list, e.g. a in (a,b)"),
        ("a notin ()", "a notin () has no values"),
        ("a=-b", "the value \"-b\" of a must start and end with a letter or digit"),
        ("Example.com/x=1", "the key \"Example.com/x\" has a prefix that is not a lower-case DNS subdomain"),
        ("a/b/c", "the key \"a/b/c\" has more than one \"/\""),
        ("a>b", "a> needs one integer value"),
        ("!", "found the end after \"!\" where a label key was expected"),
    ])
    func malformed(text: String, reason: String) {
        #expect(throws: KubeError.invalidLabelSelector(selector: text, reason: reason)) { try FluxAPI.validateLabelSelector(text) }
    }

    /// Selectors the API server accepts, and what they select.
    @Test(
        arguments: [
            ("", ["app": "web"], true),
            ("app=web", ["app": "web"], true),
            ("app==web,tier!=db", ["app": "web", "tier": "db"], false),
            ("env in (prod, staging)", ["env": "staging"], true),
            ("env notin (prod)", [:], true),
            ("team,!legacy", ["team": "a"], true),
            ("team,!legacy", ["team": "a", "legacy": "yes"], false),
            ("app.kubernetes.io/part-of=fleet", ["app.kubernetes.io/part-of": "fleet"], true),
            ("app=", ["app": ""], true),
            ("replicas>2", ["replicas": "3"], true),
            ("replicas<2", ["replicas": "3"], false),
        ] as [(String, [String: String], Bool)])
    func valid(text: String, labels: [String: String], selected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(labels) == selected)
    }

    @Test func oneLineUsageMessage() {
        #expect(
            KubeError.invalidLabelSelector(selector: "a=b,=c", reason: "found \"=\" after \",\" where a label key was expected").description
                == "label selector \"a=b,=c\" is malformed: found \"=\" after \",\" where a label key was expected; write requirements "
                + "such as "
                + "app=web, tier!=db, env in (prod,staging), team, !legacy, separated by commas")
    }

    /// `list` refuses a malformed selector before it sends anything.
    @Test func listRejectsBeforeAnyRequest() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)
                let message = await errorMessage {
                    try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations, labelSelector: "a in (b") }
                }
                #expect(message?.hasPrefix("label selector \"a in (b\" is malformed") == true)
                #expect(emulator.controls.requests.isEmpty)
            }
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
