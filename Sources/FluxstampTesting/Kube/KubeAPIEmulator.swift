// A Kubernetes API server emulator for fluxstamp's tests, benchmarks and demo.
//
// Documented API-server behaviours it reproduces (source: kubernetes.io/docs/reference/using-api/
// api-concepts/ "Retrieving large results sets in chunks" and "Efficient detection of changes";
// kubernetes.io/docs/reference/access-authn-authz/authentication/ and .../rbac/; the Status type
// in k8s.io/apimachinery pkg/apis/meta/v1 and pkg/api/errors):
// - HTTPS with a cluster CA; bearer-token, basic and X.509 client-certificate authentication
//   (the certificate's CN is the user name); bad or missing credentials → 401 `Status`.
// - Discovery: `/api`, `/api/v1`, `/apis` (APIGroupList), `/apis/<group>` (APIGroup with its served
//   versions and preferredVersion), `/apis/<group>/<version>` (APIResourceList).
// - list across all namespaces or one, `labelSelector` (=, ==, !=, exists, !exists, in, notin),
//   `limit` + `continue` chunking with opaque tokens and `metadata.continue`/`resourceVersion`;
//   an expired token → 410 Gone, reason `Expired`, with the real message.
// - get by name → the object, or 404 `Status` reason NotFound with details {name, group, kind}.
// - RBAC denial → 403 `Status` with the authorizer's message
//   (`<resource>.<group> is forbidden: User "u" cannot list resource "<resource>" in API group
//   "<group>" at the cluster scope` / `in the namespace "ns"`).
// - A group whose CRDs are not installed is absent from discovery and its paths answer
//   `404 page not found` (plain text), as the aggregator does.
// - 429 with `Retry-After` and `details.retryAfterSeconds`, 5xx `Status` bodies, latency.
import Foundation
import NIOSSL

/// An HTTPS Kubernetes API server emulator on 127.0.0.1 serving Flux objects and Secrets.
public final class KubeAPIEmulator: Sendable {
    /// The transport.
    public let server: EmulatorServer
    /// The CA, server certificate and client-certificate issuer.
    public let pki: KubeTestPKI
    /// The objects served; tests may add, change and remove them.
    public let store: KubeObjectStore
    /// Behaviour switches: credentials, RBAC, versions, faults, latency, token expiry.
    public let controls: KubeAPIControls
    /// The bearer token accepted by default (user `fluxstamp`).
    public let defaultToken: String

    /// `https://127.0.0.1:<port>`.
    public var url: String { server.baseURL }

    /// Starts an emulator, loading `fixtures` (YAML, multi-document) into its store; its server
    /// certificate carries `serverNames` only, when given (see `KubeTestPKI`).
    public static func start(fixtures: [String] = [KubeFixtures.all], serverNames: [String]? = nil) async throws -> KubeAPIEmulator {
        let pki = try KubeTestPKI(serverNames: serverNames)
        let store = KubeObjectStore()
        for yaml in fixtures { try await store.load(yaml: yaml) }
        let controls = KubeAPIControls()
        let token = "emulator-token-" + UUID().uuidString.prefix(8).lowercased()
        controls.allowToken(token, user: "fluxstamp")
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(pki.serverCertificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.serverKeyPEM.utf8), format: .pem)))
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pki.caCertificatePEM.utf8)))
        let router = KubeAPIRouter(store: store, controls: controls)
        let server = try await EmulatorServer(tls: tls) { request in await router.handle(request) }
        router.setPort(server.port)
        return KubeAPIEmulator(server: server, pki: pki, store: store, controls: controls, defaultToken: token)
    }

    private init(server: EmulatorServer, pki: KubeTestPKI, store: KubeObjectStore, controls: KubeAPIControls, defaultToken: String) {
        self.server = server
        self.pki = pki
        self.store = store
        self.controls = controls
        self.defaultToken = defaultToken
    }

    /// Stops the server.
    public func shutdown() async { await server.shutdown() }

    /// How a written kubeconfig authenticates.
    public enum Credential: Sendable {
        /// The emulator's default bearer token.
        case defaultToken
        /// A bearer token.
        case token(String)
        /// A client certificate issued by the emulator's CA for this user.
        case clientCertificate(user: String)
        /// Basic authentication.
        case basic(user: String, password: String)
        /// An exec plugin.
        case exec(command: String, args: [String], apiVersion: String)
        /// Nothing.
        case none
    }

    /// A kubeconfig (YAML) for this emulator. `caPEM` overrides the CA (to test a wrong CA).
    public func kubeconfig(
        credential: Credential = .defaultToken, namespace: String? = nil, caPEM: String? = nil,
        contextName: String = "emulator"
    ) throws -> String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        var user: [String]
        switch credential {
        case .defaultToken: user = ["    token: \(defaultToken)"]
        case let .token(t): user = ["    token: \(t)"]
        case let .clientCertificate(name):
            let issued = try pki.issueClientCertificate(commonName: name)
            user = ["    client-certificate-data: \(b64(issued.certificatePEM))", "    client-key-data: \(b64(issued.keyPEM))"]
        case let .basic(u, p): user = ["    username: \(u)", "    password: \(p)"]
        case let .exec(command, args, apiVersion):
            user = [
                "    exec:", "      apiVersion: \(apiVersion)", "      command: \(command)",
                "      args: [\(args.map { "\"\($0)\"" }.joined(separator: ", "))]",
            ]
        case .none: user = []
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(contextName)
              cluster:
                server: \(url)
                certificate-authority-data: \(b64(caPEM ?? pki.caCertificatePEM))
            users:
            - name: \(contextName)-user
              user:\(user.isEmpty ? " {}" : "")
            \(user.joined(separator: "\n"))
            contexts:
            - name: \(contextName)
              context:
                cluster: \(contextName)
                user: \(contextName)-user\(namespace.map { "\n    namespace: \($0)" } ?? "")
            current-context: \(contextName)

            """
    }

    /// Writes `kubeconfig(...)` into `directory` and returns the file's path.
    @discardableResult
    public func writeKubeconfig(
        to directory: URL, credential: Credential = .defaultToken, namespace: String? = nil,
        caPEM: String? = nil, fileName: String = "kubeconfig"
    ) throws -> URL {
        let url = directory.appendingPathComponent(fileName)
        try kubeconfig(credential: credential, namespace: namespace, caPEM: caPEM).write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
