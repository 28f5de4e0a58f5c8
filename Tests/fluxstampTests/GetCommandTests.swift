import FluxstampTesting
import Foundation
import Testing

/// Runs the binary on a Dispatch thread: `runCommand` blocks, and blocking the (small) cooperative
/// pool would starve the in-process emulator the child is talking to.
private func run(_ binary: URL, _ arguments: [String], environment: [String: String]) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runCommand(binary, arguments, environment: environment) })
        }
    }
}

/// End to end: the built `fluxstamp get` against the Kubernetes API emulator.
@Suite struct GetCommandTests {
    func withKubeconfig(_ body: (KubeAPIEmulator, URL, URL) async throws -> Void) async throws {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        let emulator = try await KubeAPIEmulator.start()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("get-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try await body(emulator, binary, try emulator.writeKubeconfig(to: dir))
        } catch {
            await emulator.shutdown()
            throw error
        }
        await emulator.shutdown()
    }

    @Test func printsTheFixturesKustomizations() async throws {
        try await withKubeconfig { emulator, binary, kubeconfig in
            let result = try await run(binary, ["get", "--kubeconfig", kubeconfig.path], environment: ["HOME": "/nonexistent"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("NAMESPACE") == true)
            #expect(lines.count == 7)
            let fleet = try #require(lines.first { $0.hasPrefix("flux-system  flux-system") })
            #expect(fleet.contains("main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e"))
            #expect(fleet.contains("ssh://git@github.com/acme/fleet (branch main)"))
            #expect(fleet.contains("github:kustomization/flux-system/0c9c2e41"))
            #expect(lines.contains { $0.hasPrefix("apps") && $0.contains("podinfo") && $0.contains("HealthCheckFailed") })
            #expect(lines.contains { $0.contains("infra-controllers") && $0.contains("True (suspended)") })
            #expect(!result.stdout.contains(emulator.defaultToken) && !result.stderr.contains(emulator.defaultToken))
        }
    }

    @Test func jsonHasOneObjectPerKustomization() async throws {
        try await withKubeconfig { _, binary, kubeconfig in
            let result = try await run(
                binary, ["get", "--kubeconfig", kubeconfig.path, "--json", "-n", "apps"], environment: ["HOME": "/nonexistent"])
            #expect(result.status == 0, "\(result.stderr)")
            let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(array.map { $0["name"] as? String } == ["apps", "podinfo"])
            let podinfo = array[1]
            #expect(podinfo["namespace"] as? String == "apps")
            #expect(podinfo["ready"] as? String == "False")
            #expect(podinfo["reason"] as? String == "HealthCheckFailed")
            #expect(podinfo["appliedRevision"] as? String == "v6.7.0@sha1:b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3")
            #expect(podinfo["sourceURL"] as? String == "https://gitlab.com/acme/podinfo.git")
            #expect(podinfo["path"] as? String == "./kustomize")
            #expect(podinfo["commitStatusIds"] as? [String] == ["kustomization/podinfo/5d3e1f20"])
            #expect(podinfo["historyLength"] as? Int == 2)
        }
    }

    @Test func selectorNarrowsTheList() async throws {
        try await withKubeconfig { _, binary, kubeconfig in
            let result = try await run(
                binary, ["get", "--kubeconfig", kubeconfig.path, "--json", "-l", "tier=apps"], environment: ["HOME": "/nonexistent"])
            let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(array.map { $0["name"] as? String } == ["apps"])
        }
    }

    @Test func badKubeconfigIsOneLineAndExitTwo() async throws {
        let binary = try #require(BuiltProduct.url())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-kubeconfig-" + UUID().uuidString).path
        try "clusters: [\n  - name: x\n    cluster: {server: https://x".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await run(binary, ["get", "--kubeconfig", path], environment: ["HOME": "/nonexistent"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: kubeconfig \(path): not valid YAML") == true)
    }

    @Test func rbacDenialIsOneLineAndExitOne() async throws {
        try await withKubeconfig { emulator, binary, kubeconfig in
            emulator.controls.deny(.init(verb: "list", resource: "kustomizations"))
            let result = try await run(binary, ["get", "--kubeconfig", kubeconfig.path], environment: ["HOME": "/nonexistent"])
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(result.stderr.contains("RBAC denied list on kustomizations.kustomize.toolkit.fluxcd.io at the cluster scope"))
        }
    }
}
