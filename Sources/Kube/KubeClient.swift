import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL

/// How the client retries 429 and 5xx answers and timeouts.
public struct RetryPolicy: Sendable {
    /// Total attempts, including the first.
    public var maxAttempts: Int
    /// Delay before the first retry; doubled each time, with jitter.
    public var baseDelay: Duration
    /// Longest wait, also caps `Retry-After`.
    public var maxDelay: Duration
    /// Per-request deadline.
    public var requestTimeout: Duration
    /// How long to keep trying to establish a connection (TCP and TLS); a TLS verification failure
    /// is reported when this runs out.
    public var connectTimeout: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10)
    ) {
        self.connectTimeout = connectTimeout
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// The default: five attempts, 250 ms doubling to at most 10 s, 30 s per request.
    public static let `default` = RetryPolicy()
}

/// A small client for the Kubernetes API: GET requests with authentication, TLS, retries, and
/// `Status` bodies turned into `KubeError`s. Use `FluxAPI` for typed reads.
///
/// Logging (through the `Logger` handed to `connect`): every request at debug (verb, path, status),
/// retries and exec-plugin runs at info. Tokens, client keys and plugin output are never logged.
public final class KubeClient: Sendable {
    /// The connection it talks over.
    public let connection: ClusterConnection
    /// Where the client (and `FluxAPI` on top of it) logs.
    public let logger: Logger
    /// The server URL requests are sent to: `connection.server`, with the host replaced by
    /// `tls-server-name` when the kubeconfig sets one.
    private let base: String
    private let http: HTTPClient
    private let credentials: Credentials
    private let retry: RetryPolicy

    /// A logger that drops everything: the default, so library users opt in to logs.
    public static let silentLogger = Logger(label: "fluxstamp.kube", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects (lazily: no request is sent yet). Runs an exec plugin first when the plugin may
    /// return a client certificate, because the certificate is part of the TLS configuration.
    public static func connect(
        _ connection: ClusterConnection, retry: RetryPolicy = .default,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = KubeClient.silentLogger,
        warn: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) }
    ) async throws -> KubeClient {
        let credentials = Credentials(connection.authorization, server: connection.server, environment: environment, logger: logger)
        var clientCertificate = connection.clientCertificate
        if case .exec = connection.authorization, let execCert = try await credentials.execClientCertificate() {
            clientCertificate = execCert
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch connection.trust {
        case .systemRoots:
            break
        case let .certificateAuthority(pem, source):
            do { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem)) } catch {
                throw KubeError.kubeconfig(
                    path: connection.origin, reason: "the CA in \(source) is not a PEM certificate",
                    fix: "set certificate-authority(-data) to the cluster's CA certificate")
            }
        case .insecureSkipVerify:
            warn(
                "insecure-skip-tls-verify is set for \(connection.server): the server's certificate is NOT verified and anyone on the "
                    + "path can read the credentials; set certificate-authority-data instead"
            )
            tls.certificateVerification = .none
        }
        if let clientCertificate {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(clientCertificate.certificatePEM).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: clientCertificate.keyPEM, format: .pem))
            } catch {
                throw KubeError.kubeconfig(
                    path: connection.origin, reason: "the client certificate or key of user \"\(connection.userName)\" is not valid PEM",
                    fix: "set client-certificate(-data) and client-key(-data) to a PEM certificate and its key")
            }
        }
        var config = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .init(retry.connectTimeout), read: .init(retry.requestTimeout)))
        // kubeconfig `tls-server-name`: requests name that host (so SNI and the certificate check use
        // it) while the connection still goes to the server's own host, as client-go's ServerName does.
        var base = connection.server
        if let name = connection.tlsServerName, !name.isEmpty, var components = URLComponents(string: connection.server),
            let host = components.host, host != name
        {
            config.dnsOverride = [name: host]
            components.host = name
            base = components.string ?? connection.server
        }
        if let proxy = connection.proxyURL, let url = URL(string: proxy), let host = url.host {
            guard url.scheme == "http" else {
                throw KubeError.kubeconfig(
                    path: connection.origin, reason: "proxy-url \(proxy) is not an http:// proxy",
                    fix: "use an http:// proxy (socks5 is not supported)")
            }
            config.proxy = .server(host: host, port: url.port ?? 80)
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        return KubeClient(connection: connection, base: base, http: http, credentials: credentials, retry: retry, logger: logger)
    }

    private init(
        connection: ClusterConnection, base: String, http: HTTPClient, credentials: Credentials, retry: RetryPolicy, logger: Logger
    ) {
        self.connection = connection
        self.base = base
        self.logger = logger
        self.http = http
        self.credentials = credentials
        self.retry = retry
    }

    /// Closes connections. Call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The outcome of one GET: the status and body of a 2xx or 410 answer.
    public struct Answer: Sendable {
        /// HTTP status.
        public var status: Int
        /// Body bytes.
        public var body: [UInt8]
    }

    /// GETs `path` with `query`, retrying 429/5xx/timeouts; any other non-2xx except 410 throws.
    public func get(_ path: String, query: [(String, String)] = [], purpose: RequestPurpose) async throws -> Answer {
        // `path` and `query` never carry credentials (those travel in the Authorization header), so
        // both may be logged.
        var url = base + path
        if !query.isEmpty { url += "?" + query.map { "\($0.0.urlQueryEscaped)=\($0.1.urlQueryEscaped)" }.joined(separator: "&") }
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "fluxstamp")
            if let header = try await credentials.header() { request.headers.add(name: "Authorization", value: header) }
            let status: Int
            let body: [UInt8]
            var retryAfter: Duration?
            do {
                let response = try await http.execute(request, timeout: .init(retry.requestTimeout))
                status = Int(response.status.code)
                body = Array(try await response.body.collect(upTo: 256 << 20).readableBytesView)
                if let value = response.headers.first(name: "Retry-After"), let seconds = Int(value) {
                    retryAfter = .seconds(seconds)
                }
            } catch {
                let mapped = transportError(error)
                if mapped.retryable, attempt < retry.maxAttempts {
                    let delay = backoff(attempt: attempt, retryAfter: nil)
                    logger.info(
                        "retrying Kubernetes API request after a transport error",
                        metadata: [
                            "verb": "\(purpose.verb)", "path": "\(path)", "attempt": "\(attempt)", "delay": "\(Self.seconds(delay))",
                            "error": "\(mapped.error.description)",
                        ])
                    try await Task.sleep(for: delay)
                    continue
                }
                throw mapped.error
            }
            logger.debug(
                "Kubernetes API request",
                metadata: [
                    "verb": "\(purpose.verb)", "path": "\(path)", "query": "\(Self.loggableQuery(query))",
                    "status": "\(status)", "attempt": "\(attempt)",
                ])
            switch status {
            case 200..<300, 410:
                return Answer(status: status, body: body)
            case 401 where !refreshedCredentials && credentials.canRefresh:
                refreshedCredentials = true
                logger.info(
                    "the API server answered 401; refreshing the credentials once",
                    metadata: [
                        "path": "\(path)", "authorization": "\(connection.authorization)",
                    ])
                await credentials.invalidate()
                continue
            case 429 where attempt < retry.maxAttempts, 500..<600 where attempt < retry.maxAttempts:
                if retryAfter == nil, let s = APIStatus.decode(body)?.details?.retryAfterSeconds { retryAfter = .seconds(s) }
                let delay = backoff(attempt: attempt, retryAfter: retryAfter)
                logger.info(
                    "retrying Kubernetes API request",
                    metadata: [
                        "verb": "\(purpose.verb)", "path": "\(path)", "status": "\(status)", "attempt": "\(attempt)",
                        "delay": "\(Self.seconds(delay))",
                    ])
                try await Task.sleep(for: delay)
                continue
            default:
                throw error(status: status, body: body, purpose: purpose, attempts: attempt)
            }
        }
    }

    /// A backoff delay for the log: `0.19s`, not `0.19038037185840745 seconds`.
    static func seconds(_ delay: Duration) -> String {
        let (whole, attoseconds) = delay.components
        return String(format: "%.2fs", Double(whole) + Double(attoseconds) / 1e18)
    }

    // Continue tokens are opaque, long and useless to a reader of the log: shown as `…`.
    static func loggableQuery(_ query: [(String, String)]) -> String {
        query.map { $0.0 == "continue" ? "continue=…" : "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private func backoff(attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, retry.maxDelay) }
        let exponential = retry.baseDelay * (1 << min(attempt - 1, 16))
        let jittered = exponential * Double.random(in: 0.5...1.0)
        return min(jittered, retry.maxDelay)
    }

    private func error(status: Int, body: [UInt8], purpose: RequestPurpose, attempts: Int) -> KubeError {
        let apiStatus = APIStatus.decode(body)
        let message =
            apiStatus?.message ?? String(decoding: body.prefix(200), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init) ?? ""
        let resource = purpose.resource?.description ?? "the API"
        switch status {
        case 401:
            return .unauthorized(server: connection.server, user: connection.userName, message: message.isEmpty ? "Unauthorized" : message)
        case 403:
            return .forbidden(
                server: connection.server, verb: purpose.verb, resource: resource, namespace: purpose.namespace, message: message)
        case 404:
            if let name = purpose.name, apiStatus?.reason == "NotFound", apiStatus?.details?.name == name {
                return .objectNotFound(server: connection.server, resource: resource, namespace: purpose.namespace, name: name)
            }
            return .resourceNotServed(server: connection.server, resource: resource, component: purpose.resource?.component ?? "")
        default:
            return .serverError(
                server: connection.server, status: status, message: message.isEmpty ? "no message" : message, attempts: attempts,
                request: purpose.summary)
        }
    }

    private func transportError(_ error: Error) -> (error: KubeError, retryable: Bool) {
        let text = String(describing: error)
        let server = connection.server
        // A TLS handshake that did not finish in time is a slow or overloaded server, not a bad
        // certificate: retried like a connect timeout.
        if let e = error as? HTTPClientError, [.connectTimeout, .tlsHandshakeTimeout, .readTimeout, .deadlineExceeded].contains(e) {
            return (
                .transport(
                    server: server, reason: "request timed out",
                    fix: "check that the API server is reachable from here (VPN, firewall) and healthy"), true
            )
        }
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            let name = connection.tlsServerName ?? URLComponents(string: server)?.host ?? server
            let fix =
                connection.tlsServerName != nil
                ? "set tls-server-name of the cluster in \(connection.origin) to a name the certificate carries"
                : "use a server URL whose host the certificate carries, or set tls-server-name of the cluster in \(connection.origin)"
            let reason = "TLS handshake failed: the server's certificate is not valid for \(name)"
            return (.transport(server: server, reason: reason, fix: fix), false)
        }
        if error is NIOSSLError || text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("SSL") || text.contains("handshake") {
            let fix: String
            switch connection.trust {
            case let .certificateAuthority(_, source):
                fix = "the server's certificate is not signed by the CA in \(source): set certificate-authority(-data) to the cluster's CA"
            case .systemRoots:
                fix = "the server's certificate is not trusted by the system roots: set certificate-authority(-data) in the kubeconfig"
            case .insecureSkipVerify:
                fix = "check the client certificate and the server's TLS settings"
            }
            let short = text.count > 160 ? String(text.prefix(160)) + "…" : text
            return (.transport(server: server, reason: "TLS handshake failed (\(short))", fix: fix), false)
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return (
                .transport(
                    server: server, reason: "connection refused",
                    fix: "check the server URL in \(connection.origin) and that the API server is up"), true
            )
        }
        return (
            .transport(
                server: server, reason: text.split(separator: "\n").first.map(String.init) ?? "unknown error",
                fix: "check the server URL in \(connection.origin) and your network"), true
        )
    }
}
