import FluxstampTesting
import Foundation
import Testing
import Yams

@testable import Kube

@Suite struct ClientAuthTests {
    @Test func bearerTokenReadsKustomizations() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let names = try await using(try await connect(kubeconfig: try emulator.kubeconfig(), in: dir)) { api in
                    try await api.list(Kustomization.self, .kustomizations).items.map(\.metadata.qualifiedName)
                }
                #expect(
                    names == [
                        "apps/apps", "apps/podinfo", "flux-system/flux-system", "infra/infra-controllers", "team-b/legacy", "team-b/web",
                    ])
                #expect(emulator.controls.requests.allSatisfy { $0.hasSuffix(" fluxstamp") })
            }
        }
    }

    @Test func clientCertificateAuthenticatesAsItsCommonName() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let yaml = try emulator.kubeconfig(credential: .clientCertificate(user: "ci-bot"))
                let source = try await using(try await connect(kubeconfig: yaml, in: dir)) { api in
                    try await api.get(GitRepository.self, .gitRepositories, namespace: "apps", name: "podinfo")
                }
                #expect(source.spec.url == "https://gitlab.com/acme/podinfo.git")
                #expect(emulator.controls.requests.last?.hasSuffix(" ci-bot") == true)
            }
        }
    }

    @Test func basicAuth() async throws {
        try await withEmulator { emulator in
            emulator.controls.allowBasic(user: "admin", password: "s3cret")
            try await withTemporaryDirectory { dir in
                let yaml = try emulator.kubeconfig(credential: .basic(user: "admin", password: "s3cret"))
                let secret = try await using(try await connect(kubeconfig: yaml, in: dir)) { api in
                    try await api.get(Secret.self, .secrets, namespace: "flux-system", name: "github-token")
                }
                #expect(secret.string("token") == "ghp_fake_token_for_tests")
                #expect(!secret.description.contains("ghp_"))
            }
        }
    }

    @Test func wrongCertificateAuthorityIsAClearTLSError() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let otherCA = try KubeTestPKI(name: "some other CA").caCertificatePEM
                let api = try await connect(kubeconfig: try emulator.kubeconfig(caPEM: otherCA), in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                let line = try #require(message)
                #expect(line.hasPrefix("cannot talk to \(emulator.url): TLS handshake failed"))
                #expect(line.contains("not signed by the CA in certificate-authority-data of cluster emulator"))
                #expect(!line.contains(emulator.defaultToken))
            }
        }
    }

    @Test func rejectedTokenIs401WithoutLeakingIt() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let api = try await connect(kubeconfig: try emulator.kubeconfig(credential: .token("stale-token-123")), in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                #expect(
                    message
                        == "\(emulator.url) rejected the credentials of emulator-user (401 Unauthorized: Unauthorized); refresh the token "
                        + "or certificate in your kubeconfig"
                )
                #expect(message?.contains("stale-token-123") == false)
            }
        }
    }

    /// An exec plugin written by the test prints an ExecCredential; it is run once and cached until
    /// its expirationTimestamp, and it receives KUBERNETES_EXEC_INFO.
    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func execPluginToken(apiVersion: String) async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let script = """
                    #!/bin/sh
                    echo run >> "\(dir.path)/runs"
                    printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.path)/exec-info"
                    cat <<JSON
                    {"apiVersion": "\(apiVersion)", "kind": "ExecCredential",
                     "status": {"token": "\(emulator.defaultToken)", "expirationTimestamp": "2099-01-01T00:00:00Z"}}
                    JSON
                    """
                try write(script, to: dir.path + "/plugin.sh", executable: true)
                let yaml = try emulator.kubeconfig(credential: .exec(command: dir.path + "/plugin.sh", args: [], apiVersion: apiVersion))
                let count = try await using(try await connect(kubeconfig: yaml, in: dir)) { api in
                    _ = try await api.list(Provider.self, .providers)
                    return try await api.list(Alert.self, .alerts).items.count
                }
                #expect(count == 5)
                let runs = try String(contentsOfFile: dir.path + "/runs", encoding: .utf8)
                #expect(runs.split(separator: "\n").count == 1)
                let info = try String(contentsOfFile: dir.path + "/exec-info", encoding: .utf8)
                #expect(info.contains("\"kind\":\"ExecCredential\"") && info.contains(apiVersion))
            }
        }
    }

    @Test func execPluginClientCertificate() async throws {
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let issued = try emulator.pki.issueClientCertificate(commonName: "eks-user")
                let credential: [String: Any] = [
                    "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                    "status": ["clientCertificateData": issued.certificatePEM, "clientKeyData": issued.keyPEM],
                ]
                try JSONSerialization.data(withJSONObject: credential).write(to: dir.appendingPathComponent("cred.json"))
                try write("#!/bin/sh\ncat \"\(dir.path)/cred.json\"\n", to: dir.path + "/plugin.sh", executable: true)
                let yaml = try emulator.kubeconfig(
                    credential: .exec(command: dir.path + "/plugin.sh", args: [], apiVersion: "client.authentication.k8s.io/v1"))
                _ = try await using(try await connect(kubeconfig: yaml, in: dir)) { try await $0.list(Kustomization.self, .kustomizations) }
                #expect(emulator.controls.requests.last?.hasSuffix(" eks-user") == true)
            }
        }
    }

    @Test func failingExecPluginNamesItself() async throws {
        try await withTemporaryDirectory { dir in
            try write(
                "#!/bin/sh\necho 'error: not logged in, run aws sso login' >&2\nexit 3\n", to: dir.path + "/plugin.sh", executable: true)
            let plugin = ExecCredentialPlugin(
                config: ExecPluginConfig(apiVersion: "client.authentication.k8s.io/v1", command: dir.path + "/plugin.sh"),
                server: "https://x")
            let message = await errorMessage { _ = try await plugin.credential() }
            #expect(
                message
                    == "exec credential plugin \(dir.path)/plugin.sh: exited with status 3: error: not logged in, run aws sso login; "
                    + "check that the plugin is installed and that you are logged in"
            )
        }
    }
}

extension ExecPluginConfig {
    init(apiVersion: String, command: String) {
        self = try! YAMLDecoderShim.decode("apiVersion: \(apiVersion)\ncommand: \(command)")
    }
}

enum YAMLDecoderShim {
    static func decode<T: Decodable>(_ yaml: String) throws -> T { try YAMLDecoder().decode(T.self, from: yaml) }
}

@Suite struct HandshakeTimeoutTests {
    @Test("a server that hangs in the TLS handshake is retried, then reported in one line as a timeout with what to check")
    func hangingHandshakeIsRetried() async throws {
        let silent = try await SilentServer()
        defer { Task { await silent.shutdown() } }
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let yaml = try emulator.kubeconfig().replacingOccurrences(of: emulator.url, with: "https://127.0.0.1:\(silent.port)")
                let api = try await connect(kubeconfig: yaml, in: dir)
                let message = await errorMessage { try await using(api) { _ = try await $0.list(Kustomization.self, .kustomizations) } }
                let line = try #require(message)
                #expect(line.hasPrefix("cannot talk to https://127.0.0.1:\(silent.port): request timed out"), "\(line)")
                #expect(silent.connections == 4, "one connection per attempt (maxAttempts 4), got \(silent.connections)")
                #expect(!line.contains(emulator.defaultToken))
            }
        }
    }
}

@Suite struct TLSServerNameTests {
    /// The emulator's kubeconfig, with `tls-server-name` added to its cluster when given.
    func kubeconfig(_ emulator: KubeAPIEmulator, serverName: String?) throws -> String {
        let yaml = try emulator.kubeconfig()
        let server = "    server: \(emulator.url)\n"
        #expect(yaml.contains(server))
        guard let serverName else { return yaml }
        return yaml.replacingOccurrences(of: server, with: server + "    tls-server-name: \(serverName)\n")
    }

    func read(_ emulator: KubeAPIEmulator, serverName: String?, in dir: URL) async throws -> Result<Int, Error> {
        let api = try await connect(kubeconfig: try kubeconfig(emulator, serverName: serverName), in: dir)
        do {
            return .success(try await using(api) { try await $0.list(Kustomization.self, .kustomizations).items.count })
        } catch {
            return .failure(error)
        }
    }

    @Test("a cluster reached by an address its certificate lacks: tls-server-name names the certificate's name, another name fails")
    func serverNameIsVerified() async throws {
        // The certificate carries only kube.internal.test; the server URL is https://127.0.0.1:PORT.
        try await withEmulator(serverNames: ["kube.internal.test"]) { emulator in
            try await withTemporaryDirectory { dir in
                let named = try await read(emulator, serverName: "kube.internal.test", in: dir)
                #expect(try named.get() == 6)
                for serverName in [nil, "other.internal.test"] {
                    let refused = try await read(emulator, serverName: serverName, in: dir)
                    guard case .failure(let error) = refused else {
                        Issue.record("tls-server-name \(serverName ?? "unset"): a certificate without that name must be refused")
                        continue
                    }
                    let line = "\(error)"
                    #expect(line.hasPrefix("cannot talk to \(emulator.url): TLS handshake failed"), "\(line)")
                    #expect(line.contains("tls-server-name"), "the line says what to set: \(line)")
                }
            }
        }
    }
}

@Suite struct KubeProxyTests {
    @Test("proxy-url in the kubeconfig: requests to the API server tunnel through a real proxy (tinyproxy)")
    func throughARealProxy() async throws {
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        try await withEmulator { emulator in
            try await withTemporaryDirectory { dir in
                let yaml = try emulator.kubeconfig()
                let server = "    server: \(emulator.url)\n"
                let proxied = yaml.replacingOccurrences(of: server, with: server + "    proxy-url: \(proxy.address)\n")
                let api = try await connect(kubeconfig: proxied, in: dir)
                let count = try await using(api) { try await $0.list(Kustomization.self, .kustomizations).items.count }
                #expect(count == 6)
                let port = URLComponents(string: emulator.url)?.port ?? 0
                #expect(proxy.requests.contains { $0.hasPrefix("CONNECT 127.0.0.1:\(port) ") }, "\(proxy.requests)")
            }
        }
    }
}
