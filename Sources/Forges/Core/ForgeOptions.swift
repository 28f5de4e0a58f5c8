import AsyncHTTPClient
import Logging

/// How a forge client paces, retries and waits. The defaults suit a CronJob; tests and the
/// benchmark pass a virtual clock and `.unlimited` pacing.
public struct ForgeOptions: Sendable {
    /// Write pacing; nil means the forge's default (`WritePacing.defaultPacing(for:)`).
    public var writePacing: WritePacing?
    /// Where clients find their write pacer: one per forge host and credential, so every client
    /// writing as the same identity shares one budget. Default: the process-wide registry.
    public var writePacers: WritePacerRegistry
    /// The clock every wait goes through.
    public var clock: any ForgeClock
    /// Attempts per request, the first included, for 5xx, timeouts and rate limits.
    public var maxAttempts: Int
    /// The first backoff, in seconds; it doubles per attempt, with jitter, up to `maxBackoff`.
    public var initialBackoff: Double
    /// The longest backoff between two attempts, in seconds.
    public var maxBackoff: Double
    /// The longest rate-limit wait accepted (Retry-After or reset); longer waits fail the request.
    public var maxRateLimitWait: Double
    /// How many requests a client has in flight at once for bulk reads and `ensure`.
    public var concurrency: Int
    /// Per-request timeout, in seconds.
    public var requestTimeout: Int64
    /// The HTTP client to send through.
    public var httpClient: HTTPClient
    /// Where the transport tells about retries, backoffs and rate-limit waits (info and debug, with
    /// the repository as metadata `forge.repository`); never a token or an Authorization header.
    /// Default: a logger that drops everything.
    public var logger: Logger

    /// Options with the given values; every one has a production default.
    public init(writePacing: WritePacing? = nil, clock: any ForgeClock = SystemForgeClock(), maxAttempts: Int = 5,
                initialBackoff: Double = 0.5, maxBackoff: Double = 30, maxRateLimitWait: Double = 900,
                concurrency: Int = 8, requestTimeout: Int64 = 30, httpClient: HTTPClient = .shared,
                writePacers: WritePacerRegistry = .shared, logger: Logger = ForgeOptions.silentLogger) {
        self.writePacing = writePacing
        self.writePacers = writePacers
        self.clock = clock
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRateLimitWait = maxRateLimitWait
        self.concurrency = concurrency
        self.requestTimeout = requestTimeout
        self.httpClient = httpClient
        self.logger = logger
    }

    /// A logger that drops everything: libraries stay quiet unless the caller hands one in.
    public static var silentLogger: Logger { Logger(label: "fluxstamp.forge", factory: { _ in SwiftLogNoOpLogHandler() }) }
}

extension ForgeOptions: CustomReflectable {
    /// The settings, without the HTTP client (whose connection pool holds live requests).
    public var customMirror: Mirror {
        Mirror(self, children: ["writePacing": writePacing as Any, "maxAttempts": maxAttempts, "concurrency": concurrency], displayStyle: .struct)
    }
}
