import Foundation
import NIOConcurrencyHelpers

/// How each forge has fared in one run: a circuit breaker and a retry budget per forge (kind and
/// API host), shared by every client built with the same `ForgeOptions` (make one `ForgeOptions`
/// per run and hand it to every client).
///
/// Why: a forge that stops answering mid-run used to be retried request by request, each with
/// its own five attempts and backoff, so a 7-second job took minutes and printed the same error
/// for every write. Now the first request that gives up on connection failures or 5xx judges the
/// forge unavailable (after `ForgeOptions.breakerThreshold` such requests in a row), and every
/// later request to it fails at once without being sent; and all retries to one forge draw on one
/// time budget (`ForgeOptions.retryBudget`), so the run's length stays bounded whatever happens.
public final class ForgeHealthRegistry: Sendable {
    private let forges = NIOLockedValueBox([String: Health]())

    /// An empty registry: every forge healthy, no retry time spent.
    public init() {}

    struct Health: Sendable {
        var kind: ForgeKind
        var host: String
        var givenUpInARow = 0
        var unavailable: ForgeError?
        var skipped = 0
        var retrySeconds = 0.0
        var retries = 0
        var requests: [String: Int] = [:]
        var rateLimitWait = 0.0
    }

    /// One forge's state in this run, for a summary ("github.com unavailable, 37 writes not sent").
    public struct Report: Sendable, CustomStringConvertible {
        /// The forge kind.
        public var kind: ForgeKind
        /// The API host (and port) the breaker is kept for.
        public var host: String
        /// The failure that judged the forge unavailable; nil while it is available.
        public var unavailable: ForgeError?
        /// Requests stopped because the forge had been judged unavailable: not sent, or (when they
        /// were being retried) not sent again.
        public var skippedRequests: Int
        /// Seconds of the retry budget spent (backoffs and failed attempts).
        public var retrySeconds: Double
        /// Retries sent.
        public var retries: Int
        /// Requests sent, by outcome: `2xx`, `3xx`, `4xx`, `5xx` (the status class), `rate_limited`
        /// (429, or a 403 that says so) or `no_answer` (connection failed or timed out); for metrics.
        public var requests: [String: Int] = [:]
        /// Seconds requests to this forge were held for rate limits (Retry-After or a spent window's
        /// reset), added up per hold; for metrics.
        public var rateLimitWaitSeconds = 0.0

        /// One line: `github.com: available, 3 retries (4.5 s)` or `github.com: unavailable after …; 37 requests not sent`.
        public var description: String {
            let spent = "\(retries) retries (\(String(format: "%.1f", retrySeconds)) s)"
            guard let unavailable else { return "\(kind) \(host): available, \(spent)" }
            return "\(kind) \(host): unavailable (\(unavailable.message)); \(skippedRequests) requests stopped, \(spent)"
        }
    }

    /// Every forge seen in this run, by host.
    public var reports: [Report] {
        forges.withLockedValue { forges in
            forges.values.sorted { $0.host < $1.host }.map {
                Report(
                    kind: $0.kind, host: $0.host, unavailable: $0.unavailable, skippedRequests: $0.skipped,
                    retrySeconds: $0.retrySeconds, retries: $0.retries, requests: $0.requests, rateLimitWaitSeconds: $0.rateLimitWait)
            }
        }
    }

    /// The report for one repository's forge (nil when no request has been sent to it yet).
    public func report(for repository: ForgeRepository) -> Report? {
        let host = WritePacerRegistry.host(of: repository)
        return reports.first { $0.host == host && $0.kind == repository.kind }
    }

    private func key(_ repository: ForgeRepository) -> String { "\(repository.kind.rawValue) \(WritePacerRegistry.host(of: repository))" }

    private func update<T>(_ repository: ForgeRepository, _ body: (inout Health) -> T) -> T {
        forges.withLockedValue { forges in
            let key = key(repository)
            var health = forges[key] ?? Health(kind: repository.kind, host: WritePacerRegistry.host(of: repository))
            defer { forges[key] = health }
            return body(&health)
        }
    }

    /// The failure that judged the forge unavailable, counting this request as not sent; nil when
    /// the forge is available.
    func refusal(_ repository: ForgeRepository) -> ForgeError? {
        update(repository) { health in
            guard let reason = health.unavailable else { return nil }
            health.skipped += 1
            return reason
        }
    }

    /// Takes `seconds` from the forge's retry budget; false (and nothing taken) when they do not fit.
    func spend(_ seconds: Double, budget: Double, on repository: ForgeRepository) -> Bool {
        update(repository) { health in
            guard health.retrySeconds + seconds <= budget else { return false }
            health.retrySeconds += seconds
            health.retries += 1
            return true
        }
    }

    /// One request was sent and ended with `outcome` (see `Report.requests`).
    func counted(_ repository: ForgeRepository, outcome: String) {
        update(repository) { $0.requests[outcome, default: 0] += 1 }
    }

    /// Requests to the forge are held `seconds` for a rate limit.
    func heldForRateLimit(_ repository: ForgeRepository, seconds: Double) {
        update(repository) { $0.rateLimitWait += seconds }
    }

    /// A request got an answer the forge meant (any status but 5xx): the forge is up.
    func answered(_ repository: ForgeRepository) {
        update(repository) { $0.givenUpInARow = 0 }
    }

    /// A request gave up on connection failures or 5xx; after `threshold` in a row, the forge is
    /// judged unavailable. `error` makes the request's error, told whether this request judged it
    /// so; the error that judged it is kept for the report.
    func gaveUp(_ repository: ForgeRepository, threshold: Int, error: (_ judged: Bool) -> ForgeError) -> ForgeError {
        update(repository) { health in
            health.givenUpInARow += 1
            let judges = health.unavailable == nil && health.givenUpInARow >= max(1, threshold)
            let made = error(judges)
            if judges { health.unavailable = made }
            return made
        }
    }
}

extension ForgeHealthRegistry: CustomReflectable {
    /// The reports only.
    public var customMirror: Mirror { Mirror(self, children: ["forges": reports.map(\.description)], displayStyle: .class) }
}
