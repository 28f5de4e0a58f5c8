import Foundation

/// Everything needed to reach one API server: where, how to trust it, who we are, which namespace.
///
/// Produced from a kubeconfig (`Kubeconfig.connection`) or from in-cluster files (`InClusterConfig`).
public struct ClusterConnection: Sendable {
    /// API server base URL, e.g. `https://10.0.0.1:6443`.
    public var server: String
    /// The context's namespace (`default` when unset).
    public var namespace: String
    /// Where this came from, for messages: `context prod in /home/me/.kube/config`, `in-cluster`.
    public var origin: String
    /// How to verify the server's certificate.
    public var trust: ServerTrust
    /// Name to verify the server certificate against (kubeconfig `tls-server-name`).
    public var tlsServerName: String?
    /// HTTP proxy URL (kubeconfig `proxy-url`).
    public var proxyURL: String?
    /// A PEM client certificate and key for mTLS.
    public var clientCertificate: ClientCertificate?
    /// How requests are authorized.
    public var authorization: Authorization
    /// A name for the identity, safe to print (user entry name, never a token).
    public var userName: String

    /// Creates a connection description.
    public init(
        server: String, namespace: String = "default", origin: String, trust: ServerTrust = .systemRoots,
        tlsServerName: String? = nil, proxyURL: String? = nil, clientCertificate: ClientCertificate? = nil,
        authorization: Authorization = .none, userName: String = "anonymous"
    ) {
        self.server = server
        self.namespace = namespace
        self.origin = origin
        self.trust = trust
        self.tlsServerName = tlsServerName
        self.proxyURL = proxyURL
        self.clientCertificate = clientCertificate
        self.authorization = authorization
        self.userName = userName
    }
}

/// How the server's certificate is verified.
public enum ServerTrust: Sendable, Equatable {
    /// The system's trust store.
    case systemRoots
    /// Only these PEM CA certificates (and where they came from, for messages).
    case certificateAuthority(pem: [UInt8], source: String)
    /// No verification at all (`insecure-skip-tls-verify`).
    case insecureSkipVerify
}

/// A PEM client certificate and private key.
public struct ClientCertificate: Sendable, Equatable {
    /// PEM certificate chain.
    public var certificatePEM: [UInt8]
    /// PEM private key.
    public var keyPEM: [UInt8]
    /// Creates one.
    public init(certificatePEM: [UInt8], keyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}

/// How a request is authorized. Printing it never shows a secret.
public enum Authorization: Sendable, Equatable, CustomStringConvertible {
    /// Nothing (or only the client certificate).
    case none
    /// A fixed bearer token.
    case bearerToken(String)
    /// A bearer token read from a file, re-read when the file changes (service-account rotation).
    case bearerTokenFile(String)
    /// HTTP basic authentication.
    case basic(username: String, password: String)
    /// An exec credential plugin.
    case exec(ExecPluginConfig)

    /// A description without secrets.
    public var description: String {
        switch self {
        case .none: return "none"
        case .bearerToken: return "bearer token"
        case let .bearerTokenFile(path): return "bearer token file \(path)"
        case let .basic(username, _): return "basic auth as \(username)"
        case let .exec(config): return "exec plugin \(config.command)"
        }
    }
}
