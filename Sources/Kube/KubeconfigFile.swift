import Foundation
import Yams

/// One kubeconfig file as written on disk (`clusters`, `users`, `contexts`, `current-context`).
///
/// Only the fields fluxstamp uses are decoded; unknown fields are ignored like kubectl does.
/// Relative file paths are already resolved against the file's directory.
public struct KubeconfigFile: Sendable, Equatable {
    /// Where the file was read from.
    public var path: String
    /// `current-context`, when set.
    public var currentContext: String?
    /// Clusters by name, in file order.
    public var clusters: [(name: String, cluster: KubeconfigCluster)]
    /// Users (credentials) by name, in file order.
    public var users: [(name: String, user: KubeconfigUser)]
    /// Contexts by name, in file order.
    public var contexts: [(name: String, context: KubeconfigContext)]

    public static func == (a: KubeconfigFile, b: KubeconfigFile) -> Bool {
        a.path == b.path && a.currentContext == b.currentContext
            && a.clusters.map(\.name) == b.clusters.map(\.name) && a.users.map(\.name) == b.users.map(\.name)
            && a.contexts.map(\.name) == b.contexts.map(\.name)
    }

    /// Parses kubeconfig YAML read from `path`; relative paths resolve against the file's directory.
    public init(yaml: String, path: String) throws {
        let raw: RawFile
        do {
            raw = try YAMLDecoder().decode(RawFile.self, from: yaml.isEmpty ? "{}" : yaml)
        } catch let DecodingError.dataCorrupted(ctx) where ctx.codingPath.isEmpty {
            let detail =
                ctx.underlyingError.map { String(describing: $0).split(separator: "\n").first.map(String.init) ?? "" }
                ?? ctx.debugDescription
            throw KubeError.kubeconfig(
                path: path, reason: "not valid YAML (\(detail))",
                fix: "fix the file or point --kubeconfig at another one")
        } catch let error as DecodingError {
            throw KubeError.kubeconfig(
                path: path, reason: "not a valid kubeconfig (\(error.fieldDescription))",
                fix: "fix the file or point --kubeconfig at another one")
        } catch {
            throw KubeError.kubeconfig(
                path: path, reason: "not valid YAML (\(String(describing: error).split(separator: "\n").first ?? ""))",
                fix: "fix the file or point --kubeconfig at another one")
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ p: String?) -> String? {
            guard let p, !p.isEmpty else { return nil }
            if p.hasPrefix("/") { return p }
            if p.hasPrefix("~/") { return NSString(string: p).expandingTildeInPath }
            return URL(fileURLWithPath: dir + "/" + p).standardized.path
        }
        self.path = path
        self.currentContext = raw.currentContext.flatMap { $0.isEmpty ? nil : $0 }
        self.clusters = (raw.clusters ?? []).map { named in
            var c = named.cluster ?? KubeconfigCluster()
            c.certificateAuthority = resolve(c.certificateAuthority)
            return (named.name, c)
        }
        self.users = (raw.users ?? []).map { named in
            var u = named.user ?? KubeconfigUser()
            u.tokenFile = resolve(u.tokenFile)
            u.clientCertificate = resolve(u.clientCertificate)
            u.clientKey = resolve(u.clientKey)
            if var exec = u.exec, exec.command.contains("/"), !exec.command.hasPrefix("/") {
                // kubectl resolves a relative command path (one with a separator) against the file.
                exec.command = resolve(exec.command) ?? exec.command
                u.exec = exec
            }
            return (named.name, u)
        }
        self.contexts = (raw.contexts ?? []).map { ($0.name, $0.context ?? KubeconfigContext()) }
    }

    private struct RawFile: Decodable {
        var currentContext: String?
        var clusters: [Named<KubeconfigCluster>]?
        var users: [Named<KubeconfigUser>]?
        var contexts: [Named<KubeconfigContext>]?
        enum CodingKeys: String, CodingKey {
            case currentContext = "current-context", clusters, users, contexts
        }
    }

    private struct Named<T: Decodable>: Decodable {
        var name: String
        var value: T?
        var cluster: T? { value }
        var user: T? { value }
        var context: T? { value }
        enum CodingKeys: String, CodingKey { case name, cluster, user, context }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            value =
                try c.decodeIfPresent(T.self, forKey: .cluster)
                ?? c.decodeIfPresent(T.self, forKey: .user)
                ?? c.decodeIfPresent(T.self, forKey: .context)
        }
    }
}

/// A kubeconfig `cluster` entry.
public struct KubeconfigCluster: Sendable, Equatable, Decodable {
    /// API server URL.
    public var server: String?
    /// Path of a PEM CA bundle.
    public var certificateAuthority: String?
    /// Base64 PEM CA bundle.
    public var certificateAuthorityData: String?
    /// Skip server certificate verification (dangerous).
    public var insecureSkipTLSVerify: Bool?
    /// Server name to verify the certificate against instead of the URL's host.
    public var tlsServerName: String?
    /// HTTP proxy to reach the server through.
    public var proxyURL: String?

    /// An empty entry.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
    }
}

/// A kubeconfig `user` entry (credentials).
public struct KubeconfigUser: Sendable, Equatable, Decodable {
    /// Bearer token.
    public var token: String?
    /// File holding a bearer token, re-read when it changes.
    public var tokenFile: String?
    /// Path of a PEM client certificate.
    public var clientCertificate: String?
    /// Base64 PEM client certificate.
    public var clientCertificateData: String?
    /// Path of a PEM client key.
    public var clientKey: String?
    /// Base64 PEM client key.
    public var clientKeyData: String?
    /// Basic-auth user name.
    public var username: String?
    /// Basic-auth password.
    public var password: String?
    /// Exec credential plugin.
    public var exec: ExecPluginConfig?

    /// An empty entry.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case token, tokenFile, username, password, exec
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
    }
}

/// A kubeconfig `context` entry.
public struct KubeconfigContext: Sendable, Equatable, Decodable {
    /// Cluster name.
    public var cluster: String?
    /// User name.
    public var user: String?
    /// Default namespace.
    public var namespace: String?
    /// An empty entry.
    public init() {}
}

/// An `exec` credential plugin as configured in a kubeconfig user.
public struct ExecPluginConfig: Sendable, Equatable, Decodable {
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    public var apiVersion: String
    /// The program to run.
    public var command: String
    /// Its arguments.
    public var args: [String]?
    /// Extra environment variables.
    public var env: [EnvVar]?
    /// Whether to pass cluster information in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool?
    /// Text shown when the command is missing.
    public var installHint: String?

    /// One `name`/`value` environment entry.
    public struct EnvVar: Sendable, Equatable, Decodable {
        /// Variable name.
        public var name: String
        /// Variable value.
        public var value: String
    }
}

extension DecodingError {
    /// "field a.b.c: reason", for one-line messages.
    var fieldDescription: String {
        switch self {
        case let .keyNotFound(key, ctx):
            return "missing required field \((ctx.codingPath + [key]).dottedPath)"
        case let .typeMismatch(type, ctx):
            return "field \(ctx.codingPath.dottedPath) is not a \(type)"
        case let .valueNotFound(type, ctx):
            return "field \(ctx.codingPath.dottedPath) is null, expected \(type)"
        case let .dataCorrupted(ctx):
            return ctx.codingPath.isEmpty ? ctx.debugDescription : "field \(ctx.codingPath.dottedPath): \(ctx.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}

extension Array where Element == CodingKey {
    var dottedPath: String {
        map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .reduce("") { acc, s in s.hasPrefix("[") ? acc + s : (acc.isEmpty ? s : acc + "." + s) }
    }
}
