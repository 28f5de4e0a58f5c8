import Foundation
import Testing

@testable import Kube

@Suite struct KubeconfigTests {
    static let first = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev
          cluster: {server: "https://dev.example:6443", certificate-authority: certs/dev-ca.pem}
        - name: shared
          cluster: {server: "https://first.example"}
        users:
        - name: dev
          user: {token: first-token}
        contexts:
        - name: dev
          context: {cluster: dev, user: dev, namespace: apps}
        - name: shared
          context: {cluster: shared, user: dev}
        """
    static let second = """
        current-context: prod
        clusters:
        - name: shared
          cluster: {server: "https://second.example"}
        - name: prod
          cluster: {server: "https://prod.example", insecure-skip-tls-verify: true}
        users:
        - name: dev
          user: {token: second-token}
        - name: ops
          user: {username: ops, password: hunter2}
        contexts:
        - name: prod
          context: {cluster: prod, user: ops}
        """

    /// KUBECONFIG=a:b, each row: context asked → expected server, namespace, authorization kind.
    @Test(arguments: [
        (nil as String?, "https://dev.example:6443", "apps", "bearer token"),  // current-context from the first file
        ("shared", "https://first.example", "default", "bearer token"),  // first file's cluster entry wins
        ("prod", "https://prod.example", "default", "basic auth as ops"),  // entries only in the second file
    ])
    func mergesLikeKubectl(context: String?, server: String, namespace: String, auth: String) async throws {
        try await withTemporaryDirectory { dir in
            try write(Self.first, to: dir.path + "/a/config")
            try write("fake CA", to: dir.path + "/a/certs/dev-ca.pem")
            try write(Self.second, to: dir.path + "/b/config")
            let env = ["KUBECONFIG": "\(dir.path)/a/config:\(dir.path)/missing:\(dir.path)/b/config"]
            let config = try #require(try Kubeconfig.load(explicitPath: nil, environment: env, homeDirectory: "/nonexistent"))
            let connection = try config.connection(context: context)
            #expect(connection.server == server)
            #expect(connection.namespace == namespace)
            #expect(connection.authorization.description == auth)
            if context == nil {
                // the first file's token wins, and its relative CA path resolves against its own directory
                #expect(connection.authorization == .bearerToken("first-token"))
                #expect(connection.trust == .certificateAuthority(pem: Array("fake CA".utf8), source: dir.path + "/a/certs/dev-ca.pem"))
            }
            if context == "prod" { #expect(connection.trust == .insecureSkipVerify) }
        }
    }

    @Test func explicitKubeconfigBeatsEnvironmentAndHome() async throws {
        try await withTemporaryDirectory { dir in
            try write(Self.first, to: dir.path + "/explicit")
            try write(Self.second, to: dir.path + "/env")
            try write(
                Self.second.replacingOccurrences(of: "https://prod.example", with: "https://home.example"),
                to: dir.path + "/home/.kube/config")
            let env = ["KUBECONFIG": dir.path + "/env"]
            let explicit = try ConnectionResolver.resolve(
                kubeconfig: dir.path + "/explicit", context: "shared", environment: env, homeDirectory: dir.path + "/home")
            #expect(explicit.server == "https://first.example")
            let fromEnv = try ConnectionResolver.resolve(kubeconfig: nil, context: nil, environment: env, homeDirectory: dir.path + "/home")
            #expect(fromEnv.server == "https://prod.example")
            let fromHome = try ConnectionResolver.resolve(
                kubeconfig: nil, context: nil, environment: [:], homeDirectory: dir.path + "/home")
            #expect(fromHome.server == "https://home.example")
        }
    }

    /// Each bad kubeconfig gives one line that names the file and what to do.
    @Test(arguments: [
        ("clusters: [oops", "not valid YAML"),
        ("current-context: nowhere\ncontexts: []", "context \"nowhere\" is not defined"),
        (
            "contexts:\n- name: c\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: ftp://x}\ncurrent-context: c",
            "is not an http(s) URL"
        ),
        ("clusters: []", "no current-context is set"),
        (
            "contexts:\n- name: c\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n"
                + "- name: u\n  user: {client-certificate-data: aGVsbG8=}\ncurrent-context: c",
            "client certificate without its key"
        ),
        (
            "contexts:\n- name: c\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n"
                + "  cluster: {server: https://x, certificate-authority-data: '%%%'}\nusers:\n- name: u\n  user: {}\ncurrent-context: c",
            "not valid base64"
        ),
    ])
    func badKubeconfigIsOneClearLine(yaml: String, expected: String) async throws {
        try await withTemporaryDirectory { dir in
            try write(yaml, to: dir.path + "/config")
            let message = await errorMessage {
                _ = try ConnectionResolver.resolve(
                    kubeconfig: dir.path + "/config", context: nil, environment: [:], homeDirectory: "/nonexistent")
            }
            let line = try #require(message)
            #expect(line.contains(expected))
            #expect(line.contains(dir.path + "/config"))
            #expect(!line.contains("\n"))
        }
    }

    @Test func missingExplicitFileAndNoConfigAtAll() async throws {
        let missing = await errorMessage {
            _ = try ConnectionResolver.resolve(kubeconfig: "/nope/config", context: nil, environment: [:], homeDirectory: "/nope")
        }
        #expect(missing == "kubeconfig /nope/config: file does not exist; check the --kubeconfig path")
        let none = await errorMessage {
            _ = try ConnectionResolver.resolve(kubeconfig: nil, context: nil, environment: [:], homeDirectory: "/nope")
        }
        #expect(none?.hasPrefix("no Kubernetes configuration found") == true)
    }

    /// Every credential kind a kubeconfig user can carry.
    @Test func credentialKinds() async throws {
        try await withTemporaryDirectory { dir in
            try write("file-token\n", to: dir.path + "/token")
            try write("CERT", to: dir.path + "/pki/client.crt")
            try write("KEY", to: dir.path + "/pki/client.key")
            let yaml = """
                clusters: [{name: c, cluster: {server: "https://x"}}]
                users:
                - {name: token, user: {token: t0k}}
                - {name: file, user: {tokenFile: token}}
                - {name: certfiles, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}
                - {name: certdata, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}
                - {name: basic, user: {username: u, password: p}}
                - name: exec
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, args: [get-token]}
                contexts:
                - {name: token, context: {cluster: c, user: token}}
                - {name: file, context: {cluster: c, user: file}}
                - {name: certfiles, context: {cluster: c, user: certfiles}}
                - {name: certdata, context: {cluster: c, user: certdata}}
                - {name: basic, context: {cluster: c, user: basic}}
                - {name: exec, context: {cluster: c, user: exec}}
                """
            try write(yaml, to: dir.path + "/config")
            let config = try #require(try Kubeconfig.load(explicitPath: dir.path + "/config", environment: [:], homeDirectory: "/"))
            #expect(try config.connection(context: "token").authorization == .bearerToken("t0k"))
            #expect(try config.connection(context: "file").authorization == .bearerTokenFile(dir.path + "/token"))
            let pem = ClientCertificate(certificatePEM: Array("CERT".utf8), keyPEM: Array("KEY".utf8))
            #expect(try config.connection(context: "certfiles").clientCertificate == pem)
            #expect(try config.connection(context: "certdata").clientCertificate == pem)
            #expect(try config.connection(context: "basic").authorization == .basic(username: "u", password: "p"))
            guard case let .exec(exec) = try config.connection(context: "exec").authorization else { Issue.record("no exec"); return }
            #expect(exec.command == dir.path + "/bin/plugin")
            #expect(exec.args == ["get-token"])
            // descriptions never show secrets
            #expect(!"\(try config.connection(context: "token").authorization)".contains("t0k"))
            #expect(!"\(try config.connection(context: "basic").authorization)".contains("p)"))
        }
    }
}
