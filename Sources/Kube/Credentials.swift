import Foundation
import Logging

/// Produces the `Authorization` header for each request from a connection's `Authorization`.
///
/// Token files are re-read on every request, so a rotated
/// service-account token is used without restarting. Exec plugins are run lazily and cached.
public actor Credentials {
    private let authorization: Authorization
    private let plugin: ExecCredentialPlugin?

    /// Credentials for a connection's authorization.
    public init(
        _ authorization: Authorization, server: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = KubeClient.silentLogger
    ) {
        self.authorization = authorization
        if case let .exec(config) = authorization {
            plugin = ExecCredentialPlugin(config: config, server: server, environment: environment, logger: logger)
        } else {
            plugin = nil
        }
    }

    /// Whether a 401 is worth one retry with fresh credentials.
    public nonisolated var canRefresh: Bool {
        switch authorization {
        case .exec, .bearerTokenFile: return true
        default: return false
        }
    }

    /// The exec plugin's client certificate, when the plugin returns one (used to build TLS).
    public func execClientCertificate() async throws -> ClientCertificate? {
        guard let plugin else { return nil }
        return try await plugin.credential().clientCertificate
    }

    /// The `Authorization` header value, or nil for none.
    public func header() async throws -> String? {
        switch authorization {
        case .none:
            return nil
        case let .bearerToken(token):
            return "Bearer \(token)"
        case let .basic(username, password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case let .bearerTokenFile(path):
            return "Bearer \(try readTokenFile(path))"
        case .exec:
            return try await plugin?.credential().token.map { "Bearer \($0)" }
        }
    }

    /// Drops cached credentials after a 401.
    public func invalidate() async {
        await plugin?.invalidate()
    }

    // Read on every request: the file is tiny, and Kubernetes rotates it by swapping a symlink
    // (`..data`), which a modification-time check on `token` itself would miss.
    private func readTokenFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.transport(
                server: path, reason: "the bearer token file cannot be read", fix: "check that the file exists and is readable")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
