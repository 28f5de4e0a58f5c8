import FluxstampTesting
import Foundation
import Logging
import Testing

@testable import Kube

/// What the Kube client writes to the log it is handed: requests at debug, retries, re-lists and
/// exec-plugin runs at info, and never a credential.
@Suite struct LoggingTests {
    @Test func requestsAtDebugRetriesAndRelistsAtInfoNoToken() async throws {
        let many = (0..<30).map { "apiVersion: v1\nkind: Secret\nmetadata: {name: s\($0), namespace: a}" }.joined(separator: "\n---\n")
        try await withEmulator(fixtures: [many]) { emulator in
            try await withTemporaryDirectory { dir in
                let (logger, store) = CapturingLogHandler.logger()
                let api = try await connect(kubeconfig: try emulator.kubeconfig(), in: dir, pageSize: 10, logger: logger)
                emulator.controls.inject([.init(status: 503)])
                emulator.controls.expireNextContinueToken()
                let count = try await using(api) { try await $0.list(Secret.self, .secrets, namespace: "a").items.count }
                #expect(count == 30)
                let records = store.all
                let requests = records.filter { $0.level == .debug && $0.message == "Kubernetes API request" }
                #expect(requests.contains { $0.metadata["verb"] == "list" && $0.metadata["path"] == "/api/v1/namespaces/a/secrets" })
                #expect(requests.contains { $0.metadata["query"]?.contains("continue=…") == true })
                #expect(
                    records.contains {
                        $0.level == .info && $0.message == "retrying Kubernetes API request" && $0.metadata["status"] == "503"
                    })
                #expect(records.contains { $0.level == .info && $0.message.contains("410 Gone") && $0.metadata["resource"] == "secrets" })
                #expect(!records.contains { $0.text.contains(emulator.defaultToken) })
            }
        }
    }

    /// The plugin's run is logged with its command; the token it prints is not.
    @Test func execPluginRunIsLoggedWithoutItsOutput() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let script = """
                    #!/bin/sh
                    echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",'
                    echo ' "status": {"token": "\(emulator.defaultToken)"}}'
                    """
                try write(script, to: dir.path + "/plugin.sh", executable: true)
                let yaml = try emulator.kubeconfig(
                    credential: .exec(command: dir.path + "/plugin.sh", args: [], apiVersion: "client.authentication.k8s.io/v1"))
                let (logger, store) = CapturingLogHandler.logger()
                _ = try await using(try await connect(kubeconfig: yaml, in: dir, logger: logger)) { try await $0.list(Alert.self, .alerts) }
                let runs = store.all.filter { $0.level == .info && $0.message == "running exec credential plugin" }
                #expect(runs.count == 1)
                #expect(runs.first?.metadata["command"] == dir.path + "/plugin.sh")
                #expect(!store.all.contains { $0.text.contains(emulator.defaultToken) })
            }
        }
    }
}
