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
    /// The longest rate-limit wait accepted, in seconds (Retry-After or a spent window's reset);
    /// default 900 (15 minutes). A longer wait is not waited: the request, and every later one to
    /// the same rate-limit resource, fails with `rateLimited` and the next run continues.
    public var maxRateLimitWait: Double
    /// Seconds of retrying (backoff waits and failed attempts) allowed per forge in one run, shared
    /// by every request to that forge through `health`; default 120, well under a CronJob's
    /// deadline. Once spent, a failing request gives up at once.
    public var retryBudget: Double
    /// How many requests in a row must give up on connection failures or 5xx before the forge is
    /// judged unavailable for the rest of the run (its later requests fail at once, unsent).
    public var breakerThreshold: Int
    /// The run's circuit breakers and retry budgets, one per forge host. Clients built with copies
    /// of one `ForgeOptions` share it; a new `ForgeOptions` starts a new one.
    public var health: ForgeHealthRegistry
    /// A directory (the cache directory) where write pacers keep their hourly window, one small
    /// file per forge identity, so consecutive runs share GitHub's 500-an-hour budget; nil keeps the
    /// window in memory only.
    public var pacingDirectory: String?
    /// The Azure DevOps REST api-version; nil picks by host: `7.1` for Azure DevOps Services
    /// (dev.azure.com, *.visualstudio.com), `6.0` for Azure DevOps Server (2020 supports up to 6.0,
    /// 2022 up to 7.0). Set it per forge for a Server 2022 that should get `7.0`.
    public var azureDevOpsAPIVersion: String?
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
    public init(
        writePacing: WritePacing? = nil, clock: any ForgeClock = SystemForgeClock(), maxAttempts: Int = 5,
        initialBackoff: Double = 0.5, maxBackoff: Double = 30, maxRateLimitWait: Double = 900,
        concurrency: Int = 8, requestTimeout: Int64 = 30, httpClient: HTTPClient = ForgeOptions.defaultHTTPClient,
        writePacers: WritePacerRegistry = .shared, logger: Logger = ForgeOptions.silentLogger,
        retryBudget: Double = 120, breakerThreshold: Int = 1, health: ForgeHealthRegistry = ForgeHealthRegistry(),
        pacingDirectory: String? = nil, azureDevOpsAPIVersion: String? = nil
    ) {
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
        self.retryBudget = retryBudget
        self.breakerThreshold = breakerThreshold
        self.health = health
        self.pacingDirectory = pacingDirectory
        self.azureDevOpsAPIVersion = azureDevOpsAPIVersion
    }

    /// The HTTP client forge clients use unless given another: one per process, like
    /// `HTTPClient.shared`, but a refused or failed connection fails at once (connect timeout 10 s,
    /// no connection-establishment retries inside the client) so the transport's own retries, retry
    /// budget and circuit breaker decide. With the shared client's defaults a forge that was down
    /// held each attempt for the whole request timeout: 161 s to give up one read.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A logger that drops everything: libraries stay quiet unless the caller hands one in.
    public static var silentLogger: Logger { Logger(label: "fluxstamp.forge", factory: { _ in SwiftLogNoOpLogHandler() }) }
}

extension ForgeOptions: CustomReflectable {
    /// The settings, without the HTTP client (whose connection pool holds live requests).
    public var customMirror: Mirror {
        Mirror(
            self, children: ["writePacing": writePacing as Any, "maxAttempts": maxAttempts, "concurrency": concurrency],
            displayStyle: .struct)
    }
}
