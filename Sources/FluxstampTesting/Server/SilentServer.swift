import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 that accepts connections and never sends a byte: to a TLS client, a
/// server that hangs in the handshake (an overloaded API server, a stuck load balancer).
///
/// It counts the connections it accepted, so a test can tell how often a client tried.
public final class SilentServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let accepted: Counter
    /// The port the server listens on.
    public let port: Int

    /// How many connections the server has accepted so far.
    public var connections: Int { accepted.value.withLock { $0 } }

    /// Starts listening on a random port.
    public init() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = Counter()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
        self.channel = try await bootstrap.bindLoopback(group: group)
        self.group = group
        self.accepted = accepted
        self.port = channel.localAddress?.port ?? 0
    }

    /// Stops listening and closes every connection.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class Counter: Sendable {
    let value = Mutex(0)
}
