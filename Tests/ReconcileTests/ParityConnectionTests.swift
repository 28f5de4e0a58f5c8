import FluxstampTesting
import Forges
import Foundation
import Reconcile
import Testing

/// Issue 9, item 6: the CA, client certificate and proxy notification-controller v1.9.3 uses for a
/// Provider's forge (`createNotifier`, `getTLSConfigForProvider`, fluxcd/pkg `runtime/secrets`), read from
/// the cluster into the forge endpoint, and used by the forge transport.
@Suite struct ParityConnectionTests {
    /// A real CA certificate: the endpoint's settings are checked (parsed) before they are used.
    static let ca = (try? KubeTestPKI())?.caCertificatePEM ?? ""

    static func secret(_ name: String, _ data: [String: String]) -> String {
        let encoded = data.map { "\($0.key): \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ", ")
        return "apiVersion: v1\nkind: Secret\nmetadata: {name: \(name), namespace: flux-system}\ntype: Opaque\ndata: {\(encoded)}"
    }

    static func provider(_ type: String, _ extra: String = "") -> String {
        let address = type == "gitlab" ? "https://gitlab.example.com/acme/fleet" : "https://git.example.com/acme/fleet"
        return "{type: \(type), address: \"\(address)\", secretRef: {name: forge-secret}\(extra.isEmpty ? "" : ", " + extra)}"
    }

    struct Setting: Sendable, CustomTestStringConvertible {
        var name: String
        var provider: String
        var secret: [String: String] = ["token": "t"]
        var objects: [String] = []
        var ca: String? = nil
        var proxy: String? = nil
        var proxyUser: String? = nil
        var testDescription: String { name }
    }

    @Test(
        "6: where NC takes the CA and proxy from, per Provider type",
        arguments: [
            Setting(
                name: "certSecretRef's ca.crt", provider: provider("github", "certSecretRef: {name: forge-ca}"),
                objects: [secret("forge-ca", ["ca.crt": ca])], ca: ca),
            Setting(name: "legacy caFile in certSecretRef", provider: provider("gitea", "certSecretRef: {name: forge-ca}"),
                objects: [secret("forge-ca", ["caFile": ca])], ca: ca),
            Setting(
                name: "ca.crt in the Provider's own Secret", provider: provider("gitlab"), secret: ["token": "t", "ca.crt": ca], ca: ca),
            Setting(
                name: "an incomplete set in the Provider's own Secret is ignored, as NC ignores it", provider: provider("gitlab"),
                secret: ["token": "t", "tls.crt": ca]),
            Setting(
                name: "certSecretRef beats the Secret's ca.crt", provider: provider("gitlab", "certSecretRef: {name: forge-ca}"),
                secret: ["token": "t", "ca.crt": "other"], objects: [secret("forge-ca", ["ca.crt": ca])], ca: ca),
            Setting(
                name: "proxySecretRef on GitHub", provider: provider("github", "proxySecretRef: {name: forge-proxy}"),
                objects: [secret("forge-proxy", ["address": " http://proxy.internal:3128 ", "username": "u", "password": "p"])],
                proxy: "http://proxy.internal:3128", proxyUser: "u"),
            Setting(
                name: "the Secret's proxy key beats spec.proxy", provider: provider("gitea", "proxy: \"http://old:1\""),
                secret: ["token": "t", "proxy": "http://proxy.internal:3128"], proxy: "http://proxy.internal:3128"),
            Setting(name: "spec.proxy on GitHub", provider: provider("github", "proxy: \"http://proxy.internal:3128\""),
                proxy: "http://proxy.internal:3128"),
            Setting(
                name: "no proxy on GitLab: NC's GitLab client takes none",
                provider: provider("gitlab", "proxySecretRef: {name: forge-proxy}"),
                objects: [secret("forge-proxy", ["address": "http://proxy.internal:3128"])]),
        ])
    func settings(_ s: Setting) async throws {
        let observed = try await ParityRoutesTests.observe(
            provider: s.provider, secret: s.secret, alerts: [ParityRoutesTests.alert(severity: "info")],
            objects: s.objects.joined(separator: "\n---\n"))
        #expect(observed.problems.isEmpty, "\(observed.problems)")
        #expect(observed.units.first?.targets.count == 1)
        let endpoint = try #require(observed.forges.values.first)
        #expect(endpoint.connection?.certificateAuthorityPEM == s.ca)
        #expect(endpoint.connection?.proxy?.address == s.proxy)
        #expect(endpoint.connection?.proxy?.username == s.proxyUser)
    }

    @Test(
        "6: a CA, client certificate or proxy that cannot be used is one line naming the Provider; nothing is written around it",
        arguments: [
            (provider("github", "certSecretRef: {name: forge-ca}"), [secret("forge-ca", ["other": "x"])], "neither ca.crt nor tls.crt"),
            (provider("github", "certSecretRef: {name: missing}"), [], "Secret flux-system/missing"),
            (
                provider("gitlab", "certSecretRef: {name: forge-ca}"), [secret("forge-ca", ["tls.crt": ca])],
                "only one of tls.crt and tls.key"
            ),
            (
                provider("gitlab", "certSecretRef: {name: forge-ca}"), [secret("forge-ca", ["ca.crt": "not a certificate"])],
                "ca.crt is not a PEM"
            ),
            (provider("github", "proxySecretRef: {name: forge-proxy}"), [secret("forge-proxy", ["username": "u"])], "no `address` key"),
            (provider("github", "proxy: \"https://proxy.internal:3128\""), [], "https proxy is not supported"),
        ])
    func unusable(provider: String, objects: [String], mentions: String) async throws {
        let observed = try await ParityRoutesTests.observe(
            provider: provider, secret: ["token": "t"], alerts: [ParityRoutesTests.alert(severity: "info")],
            objects: objects.joined(separator: "\n---\n"))
        #expect(observed.units.first?.targets.isEmpty == true, "never a plain connection instead")
        let lines = observed.problems.filter { $0.subject == "Provider flux-system/forge" && $0.severity == .failure }
        #expect(lines.count == 1, "\(observed.problems)")
        #expect(lines.first?.message.contains(mentions) == true, "\(lines)")
        #expect(observed.units.first?.noTarget?.contains("Provider flux-system/forge") == true)
    }

    @Test("6: a forge behind a private CA is written with the Provider's ca.crt, and refused without it")
    func privateCA() async throws {
        let pki = try KubeTestPKI()
        let emulator = try await AzureDevOpsEmulator.start(.init(token: "azure-pat"), pki: pki)
        defer { Task { await emulator.shutdown() } }
        #expect(emulator.baseURL.hasPrefix("https://"))
        let repository = try ForgeRepository.parse(emulator.address(), kind: .azuredevops)
        let sha = String(repeating: "ab", count: 20)
        let status = CommitStatus(
            sha: sha, context: "kustomization/apps/0c9c2e41", state: .succeeded, description: "reconciliation succeeded")
        let forges = LiveForges()
        let trusted = try forges.client(
            for: ForgeEndpoint(
                repository: repository, credential: .token(SecretValue("azure-pat")), options: ForgeOptions(writePacing: .unlimited),
                genre: "fluxcd", connection: ForgeConnection(certificateAuthorityPEM: pki.caCertificatePEM)))
        try await trusted.create(status)
        #expect(try await trusted.statuses(of: sha).first?.state == .succeeded)
        #expect(emulator.statuses(of: sha).count == 1)
        let requests = emulator.core.requests.count
        let plain = try forges.client(
            for: ForgeEndpoint(
                repository: repository, credential: .token(SecretValue("azure-pat")),
                options: ForgeOptions(writePacing: .unlimited, maxAttempts: 1), genre: "fluxcd"))
        await #expect(throws: ForgeError.self) { try await plain.create(status) }
        #expect(emulator.core.requests.count == requests, "the system's roots do not trust the private CA: nothing reached the forge")
        #expect(emulator.statuses(of: sha).count == 1)
    }

    @Test("6: a Provider's proxy is really used: writes and reads go through tinyproxy with its credentials; wrong ones fail plainly")
    func throughARealProxy() async throws {
        let proxy = try Tinyproxy(user: "fluxproxy", password: "proxy-s3cret")
        defer { proxy.stop() }
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_proxytoken"))
        defer { Task { await emulator.shutdown() } }
        let repository = try ForgeRepository.parse(emulator.address(), kind: .github)
        let sha = String(repeating: "cd", count: 20)
        let status = CommitStatus(
            sha: sha, context: "kustomization/apps/0c9c2e41", state: .succeeded, description: "reconciliation succeeded")
        let forges = LiveForges()  // owns the per-connection HTTP clients for as long as they are used
        func client(password: String) throws -> any CommitStatusForge {
            try forges.client(
                for: ForgeEndpoint(
                    repository: repository, credential: .token(SecretValue("ghp_proxytoken")),
                    options: ForgeOptions(writePacing: .unlimited, maxAttempts: 1), genre: "fluxcd",
                    connection: ForgeConnection(
                        proxy: ForgeProxy(address: proxy.address, username: "fluxproxy", password: SecretValue(password)))))
        }
        let through = try client(password: "proxy-s3cret")
        try await through.create(status)
        #expect(try await through.statuses(of: sha).first?.state == .succeeded)
        #expect(emulator.statuses(of: sha).count == 1)
        // AsyncHTTPClient tunnels through the proxy (CONNECT) even to a plain-HTTP forge.
        let tunnel = "CONNECT 127.0.0.1:\(URLComponents(string: emulator.baseURL)?.port ?? 0) "
        #expect(proxy.requests.contains { $0.hasPrefix(tunnel) }, "the requests went through the proxy: \(proxy.requests)")

        let refused = try client(password: "wrong")
        let forwarded = proxy.requests.count
        let error = await #expect(throws: ForgeError.self) { try await refused.create(status) }
        #expect(error?.message.contains("the proxy refused the request") == true, "\(String(describing: error))")
        #expect(error?.kind == .configuration && error?.wasSent == false)
        #expect(!(error?.message.contains("wrong") ?? true) && !(error?.message.contains("proxy-s3cret") ?? true))
        #expect(proxy.requests.count == forwarded + 1, "one attempt, refused by the proxy")
        #expect(emulator.statuses(of: sha).count == 1, "nothing more reached the forge")
    }

    @Test("6: a proxy's credentials never show in its description or a debug dump")
    func proxyRedacted() {
        let connection = ForgeConnection(
            clientKeyPEM: SecretValue("PRIVATE-KEY"),
            proxy: ForgeProxy(address: "http://user:hunter2@proxy:3128", username: "u", password: SecretValue("s3cret")))
        var dumped = ""
        dump(connection, to: &dumped)
        for text in ["\(connection.proxy!)", dumped, String(reflecting: connection)] {
            #expect(!text.contains("hunter2") && !text.contains("s3cret") && !text.contains("PRIVATE-KEY"), "\(text)")
        }
        #expect("\(connection.proxy!)" == "http://proxy:3128")
    }

    @Test("6: proxies AsyncHTTPClient can use, and the ones it cannot, said plainly")
    func proxies() throws {
        let repository = try ForgeRepository.parse("https://github.com/acme/fleet")
        for good in ["http://proxy:3128", "http://u:p@proxy:3128", "socks5://proxy:1080"] {
            #expect(throws: Never.self) { try ForgeConnection(proxy: ForgeProxy(address: good)).validate(for: repository) }
        }
        for (bad, mentions) in [
            ("https://proxy:3128", "https proxy is not supported"), ("socks5://u:p@proxy:1080", "socks5 proxy with a username"),
            ("proxy:3128", "not a URL"),
        ] {
            let error = #expect(throws: ForgeError.self) { try ForgeConnection(proxy: ForgeProxy(address: bad)).validate(for: repository) }
            #expect(error?.message.contains(mentions) == true, "\(bad): \(String(describing: error))")
        }
    }
}
