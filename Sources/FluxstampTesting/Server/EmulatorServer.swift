import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import X509

/// One HTTP request as an emulator sees it: method, path with query, headers and the whole body.
public struct EmulatorRequest: Sendable {
    /// HTTP method, upper case (`GET`, `POST`, …).
    public var method: String
    /// The request target as sent: path plus `?query`.
    public var uri: String
    /// Request headers; names compare case-insensitively through `header(_:)`.
    public var headers: [(name: String, value: String)]
    /// The whole request body.
    public var body: [UInt8]
    /// The client certificate's subject common name, when the client authenticated with mTLS.
    public var clientCertificateCommonName: String?

    /// The path part of `uri`, without the query.
    public var path: String {
        String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The decoded query parameters of `uri` (last one wins for repeated names).
    public var query: [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncodingForQuery()
            let value = kv.count > 1 ? String(kv[1]).removingPercentEncodingForQuery() : ""
            out[key] = value
        }
        return out
    }

    /// The first value of the named header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What an emulator answers: status, headers and body.
public struct EmulatorResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: [(name: String, value: String)]
    /// Response body.
    public var body: [UInt8]
    /// Close the connection without answering (a lost answer: the request was handled).
    public var dropsConnection = false

    /// A response with the given status, headers and body.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from already-encoded text.
    public static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 (random port), plain or TLS, that every emulator runs on.
///
/// It handles keep-alive connections, hands each complete request to an async handler and writes
/// its answer; an optional latency is applied before each answer. It exists so the emulators share
/// one transport and differ only in the behaviour they emulate.
public final class EmulatorServer: Sendable {
    /// The handler that turns a request into a response.
    public typealias Handler = @Sendable (EmulatorRequest) async -> EmulatorResponse

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// The port the server listens on (127.0.0.1).
    public let port: Int
    /// Whether the server speaks TLS.
    public let usesTLS: Bool

    /// The base URL of the server, e.g. `https://127.0.0.1:40123`.
    public var baseURL: String { "\(usesTLS ? "https" : "http")://127.0.0.1:\(port)" }

    /// Starts a server. With `tls`, connections are TLS (client certificates are verified as the
    /// configuration says). The handler runs once per request.
    public init(tls: TLSConfiguration? = nil, handler: @escaping Handler) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EmulatorExecutor()
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        EmulatorHTTPHandler(handler: handler, tls: sslContext != nil, executor: executor))
                }
            }
        self.channel = try await bootstrap.bindLoopback(group: group)
        self.group = group
        self.port = channel.localAddress?.port ?? 0
        self.usesTLS = tls != nil
    }

    /// Stops listening and closes every connection.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Where one server's handlers run: a serial Dispatch queue of its own (serial queues always get
/// a thread), not Swift's cooperative pool, which is as wide as the machine has cores (two here)
/// and shared with every test of the process, nor the global queues the tests park blocking waits
/// on. Default actors a handler calls (the Kubernetes object store) run here too, as the task prefers.
final class EmulatorExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "fluxstamp.emulator")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

extension ServerBootstrap {
    /// Binds to 127.0.0.1 on a free port; when that fails, the group is shut down before the error is thrown.
    func bindLoopback(group: MultiThreadedEventLoopGroup) async throws -> Channel {
        do {
            return try await bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}

private final class EmulatorHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: EmulatorServer.Handler
    private let tls: Bool
    private let executor: EmulatorExecutor
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(handler: @escaping EmulatorServer.Handler, tls: Bool, executor: EmulatorExecutor) {
        self.handler = handler
        self.tls = tls
        self.executor = executor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            let commonName = tls ? peerCommonName(context: context) : nil
            let request = EmulatorRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) }, body: body,
                clientCertificateCommonName: commonName)
            body = []
            let handler = self.handler
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: EmulatorResponse.self)
            // Off the cooperative pool: a test that keeps the pool's threads busy (CPU-heavy
            // fixtures, a blocking wait for a child process) must not keep the emulator from
            // answering, or every client of it times out together.
            Task(executorPreference: executor) { promise.succeed(await handler(request)) }
            promise.futureResult.whenSuccess { response in
                let (me, context) = loopBound.value
                if response.dropsConnection {
                    context.close(promise: nil)
                    return
                }
                me.write(response, keepAlive: keepAlive, version: head.version, context: context)
            }
        }
    }

    private func peerCommonName(context: ChannelHandlerContext) -> String? {
        guard let tlsHandler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let cert = tlsHandler.peerCertificate
        else { return nil }
        return cert.commonName
    }

    private func write(_ response: EmulatorResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

extension NIOSSLCertificate {
    /// The subject common name, if the certificate has one.
    fileprivate var commonName: String? {
        guard let der = try? toDERBytes(), let cert = try? Certificate(derEncoded: der) else { return nil }
        for rdn in cert.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }
}

extension String {
    func removingPercentEncodingForQuery() -> String {
        var bytes: [UInt8] = []
        var it = Array(self.utf8).makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%"), let h = it.next(), let l = it.next(),
                let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
