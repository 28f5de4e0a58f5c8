import AsyncHTTPClient
import Foundation
import NIOSSL
import Synchronization

/// How a forge is reached when notification-controller uses more than the defaults for it: the CA and
/// client certificate of a Provider's `spec.certSecretRef` (or of `ca.crt` in its own Secret), and the
/// proxy of its `spec.proxySecretRef` (NC passes a proxy to its GitHub and Gitea clients only).
public struct ForgeConnection: Sendable, Hashable {
    /// PEM CA certificates trusted instead of the system's (`ca.crt`): NC builds its TLS config from the
    /// Secret alone, without the system pool.
    public var certificateAuthorityPEM: String?
    /// A PEM client certificate chain (`tls.crt`), for mutual TLS; with `clientKeyPEM`.
    public var clientCertificatePEM: String?
    /// The PEM private key of `clientCertificatePEM` (`tls.key`).
    public var clientKeyPEM: SecretValue?
    /// The proxy requests go through.
    public var proxy: ForgeProxy?

    /// A connection with the given settings.
    public init(
        certificateAuthorityPEM: String? = nil, clientCertificatePEM: String? = nil, clientKeyPEM: SecretValue? = nil,
        proxy: ForgeProxy? = nil
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.proxy = proxy
    }

    /// Whether nothing differs from the shared client's defaults.
    public var isDefault: Bool { certificateAuthorityPEM == nil && clientCertificatePEM == nil && proxy == nil }

    /// Checks that every setting can be applied (PEMs parse, the proxy is one AsyncHTTPClient can use);
    /// the error says which setting and what to do.
    public func validate(for repository: ForgeRepository) throws(ForgeError) {
        _ = try configuration(for: repository)
    }

    /// The HTTP client configuration for these settings: `ForgeOptions.defaultHTTPClient`'s, with the
    /// TLS roots, client certificate and proxy set.
    func configuration(for repository: ForgeRepository) throws(ForgeError) -> HTTPClient.Configuration {
        func fail(_ message: String) -> ForgeError { ForgeError(.configuration, repository: repository.description, message: message) }
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        if certificateAuthorityPEM != nil || clientCertificatePEM != nil {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let pem = certificateAuthorityPEM {
                let roots = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
                guard let roots, !roots.isEmpty else {
                    throw fail("ca.crt is not a PEM certificate; put the forge's CA certificate in PEM form there")
                }
                tls.trustRoots = .certificates(roots)
            }
            if let pem = clientCertificatePEM {
                guard let key = clientKeyPEM else { throw fail("tls.crt is set without tls.key; give both or neither") }
                let chain = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
                let privateKey = try? NIOSSLPrivateKey(bytes: Array(key.revealed.utf8), format: .pem)
                guard let chain, !chain.isEmpty, let privateKey else {
                    // The parser's own message may quote the key: it is left out.
                    throw fail("tls.crt/tls.key are not a PEM certificate and private key")
                }
                tls.certificateChain = chain.map { .certificate($0) }
                tls.privateKey = .privateKey(privateKey)
            }
            configuration.tlsConfiguration = tls
        }
        if let proxy { configuration.proxy = try proxy.configuration(repository: repository) }
        return configuration
    }
}

/// An HTTP proxy, as NC reads it from a proxy Secret (`address`, `username`, `password`).
public struct ForgeProxy: Sendable, Hashable {
    /// The proxy URL (`http://HOST:PORT`).
    public var address: String
    /// The user name, when the proxy wants Basic authentication.
    public var username: String?
    /// The password (never printed).
    public var password: SecretValue?

    /// A proxy.
    public init(address: String, username: String? = nil, password: SecretValue? = nil) {
        self.address = address
        self.username = username
        self.password = password
    }

    /// AsyncHTTPClient's proxy for this address: `http` (CONNECT for https forges) with optional Basic
    /// authentication, or `socks5` without credentials. An `https` proxy (TLS to the proxy) is not
    /// something AsyncHTTPClient can do: refused with a message rather than sent around the proxy.
    func configuration(repository: ForgeRepository) throws(ForgeError) -> HTTPClient.Configuration.Proxy {
        func fail(_ message: String) -> ForgeError { ForgeError(.configuration, repository: repository.description, message: message) }
        guard let url = URLComponents(string: address.trimmingCharacters(in: .whitespacesAndNewlines)),
            let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            throw fail("the proxy address is not a URL like http://HOST:PORT")
        }
        let user = username ?? url.user.flatMap { $0.removingPercentEncoding }
        let secret = password?.revealed ?? url.password.flatMap { $0.removingPercentEncoding }
        switch scheme {
        case "http":
            let authorization = user.map { HTTPClient.Authorization.basic(username: $0, password: secret ?? "") }
            return .server(host: host, port: url.port ?? 80, authorization: authorization)
        case "socks5":
            guard user == nil else { throw fail("a socks5 proxy with a username is not supported by fluxstamp; use an http proxy") }
            return .socksServer(host: host, port: url.port ?? 1080)
        default:
            throw fail("a \(scheme) proxy is not supported by fluxstamp (it speaks http and socks5 proxies); use an http:// proxy address")
        }
    }
}

/// HTTP clients for connections that need their own TLS or proxy settings: one per distinct connection,
/// built on first use and shut down when the registry is released.
public final class ForgeHTTPClients: Sendable {
    private let clients = Mutex<[ForgeConnection: HTTPClient]>([:])

    /// An empty registry.
    public init() {}

    /// The client for `connection` (built on first use); throws when a setting cannot be applied.
    public func client(for connection: ForgeConnection, repository: ForgeRepository) throws(ForgeError) -> HTTPClient {
        if let existing = clients.withLock({ $0[connection] }) { return existing }
        let configuration = try connection.configuration(for: repository)
        return clients.withLock { clients in
            if let existing = clients[connection] { return existing }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connection] = client
            return client
        }
    }

    deinit {
        // The shutdown callback keeps each client alive until its pool has closed.
        for client in clients.withLock({ Array($0.values) }) { client.shutdown(queue: .global()) { _ in } }
    }
}

extension ForgeProxy: CustomStringConvertible, CustomReflectable {
    /// The address without user information: a proxy URL may carry a password.
    public var description: String {
        guard var url = URLComponents(string: address), url.user != nil || url.password != nil else { return address }
        url.user = nil
        url.password = nil
        return url.string ?? "<proxy>"
    }

    /// Only the redacted address, so a debug dump never shows the proxy's credentials.
    public var customMirror: Mirror { Mirror(self, children: ["address": description], displayStyle: .struct) }
}

extension ForgeConnection: CustomReflectable {
    /// What is set, never the key or the proxy's credentials.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "certificateAuthority": certificateAuthorityPEM != nil, "clientCertificate": clientCertificatePEM != nil,
                "proxy": proxy?.description as Any,
            ], displayStyle: .struct)
    }
}
