import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP answer from a forge.
struct ForgeResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// The shared machinery every forge client sends through, written once: authentication headers,
/// write pacing (shared per host and credential), rate-limit waits (Retry-After and reset times), exponential backoff with jitter
/// for 5xx, timeouts and secondary limits, no retry on other 4xx, request counting, and scrubbing
/// secrets out of every message.
struct ForgeTransport: Sendable {
    let repository: ForgeRepository
    let options: ForgeOptions
    let counter: RequestCounter
    /// Returns the authentication headers (async: a GitHub App token may need fetching).
    let authorize: @Sendable () async throws -> [(String, String)]
    /// Secrets to scrub from any text that reaches an error.
    let secrets: [String]
    /// Whether 409 means "another update in progress, try again" (GitLab).
    var retriesConflict = false
    /// A 5xx that is an answer, not an outage, and is not retried (Gitea answers an unknown commit
    /// with 500).
    var isPermanentServerError: @Sendable (ForgeResponse) -> Bool = { _ in false }

    private let pacer: WritePacer
    private let gate: RateGate
    /// `options.logger` with the repository as metadata; messages never carry a secret.
    let logger: Logger

    init(
        repository: ForgeRepository, options: ForgeOptions, credential: ForgeCredential?, counter: RequestCounter = RequestCounter(),
        authorize: @escaping @Sendable () async throws -> [(String, String)]
    ) {
        self.repository = repository
        self.options = options
        self.counter = counter
        self.authorize = authorize
        self.secrets = (credential?.secrets ?? []).filter { $0.count >= 4 }
        // Shared by every client for the same host and credential: write limits count per identity.
        self.pacer = options.writePacers.pacer(
            for: repository, credential: credential,
            pacing: options.writePacing ?? .defaultPacing(for: repository.kind), clock: options.clock,
            directory: options.pacingDirectory)
        self.gate = RateGate(clock: options.clock)
        var logger = options.logger
        logger[metadataKey: "forge.repository"] = "\(repository.description)"
        self.logger = logger
    }

    /// Sends a request, retrying what is worth retrying; returns the final response, whatever its
    /// status, or throws `unavailable` (retries or the forge's retry budget ran out, or the forge
    /// was judged unavailable earlier in this run) or `rateLimited` (a wait longer than allowed).
    ///
    /// `alreadyStored`, for writes to forges where every POST appends, is asked before a write is
    /// sent again after an attempt that may have been stored (no answer, or a gateway's 502/504): when it
    /// says the status is there, the lost answer is taken as success and nothing is re-posted.
    func send(
        _ method: HTTPMethod, _ url: String, json: Data? = nil, purpose: RequestPurpose,
        extraHeaders: [(String, String)] = [],
        alreadyStored: (@Sendable () async throws -> Bool)? = nil
    ) async throws -> ForgeResponse {
        if let refusal = options.health.refusal(repository) { throw notSent(refusal) }
        if purpose == .write {
            let health = options.health
            let repository = self.repository
            do {
                // A write waiting for its slot stops waiting once the forge is judged unavailable.
                try await pacer.acquire(maxWait: options.maxRateLimitWait) { health.refusal(repository) != nil }
            } catch let spent as HourlyCapSpent {
                // The same words for every write held back, so a run prints it once with a count.
                var error = ForgeError(
                    .rateLimited, repository: repository.description,
                    message:
                        "not sent: \(spent.perHour) writes in the last hour already used this identity's hourly write budget "
                        + "(shared by runs through the cache directory) and the next slot is more than "
                        + "\(Int(options.maxRateLimitWait / 60)) minutes away; the next run continues")
                error.wasSent = false
                throw error
            }
            // The forge may have been judged unavailable while this write waited for its slot.
            if let refusal = options.health.refusal(repository) { throw notSent(refusal) }
        }
        let resource = rateResource(for: url)
        let started = options.clock.now
        var attempt = 0
        // Failed attempts (no answer, 5xx) only: rate-limit waits do not use up the attempts a
        // request has for outages, or a 429 storm plus one 5xx would judge a healthy forge down.
        var failures = 0
        var lastProblem = ""
        var lastStatus: Int?
        var mayHaveStored = false
        while true {
            try await gate.waitUntilOpen(resource)
            if attempt > 0, let refusal = options.health.refusal(repository) { throw notSent(refusal, retried: true) }
            if mayHaveStored, let alreadyStored, try await alreadyStored() {
                logger.info(
                    "a write whose answer was lost is stored on the forge; not sending it again",
                    metadata: ["request": "\(method.rawValue) \(scrub(url))"])
                return ForgeResponse(status: 200, headers: [], body: Data())
            }
            counter.record(purpose, retry: attempt > 0)
            attempt += 1
            let attemptStarted = options.clock.now
            let response: ForgeResponse
            do {
                response = try await execute(method, url, json: json, extraHeaders: extraHeaders)
            } catch let error as ForgeError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where [.proxyAuthenticationRequired, .invalidProxyResponse].contains(error) {
                // The proxy, not the forge, said no (407, or a CONNECT it refused): retrying cannot help,
                // and the forge is not down.
                var refusal = ForgeError(
                    .configuration, repository: repository.description,
                    message:
                        "the proxy refused the request (HTTP 407 or a refused CONNECT); check the proxy address, "
                        + "username and password (the Provider's proxySecretRef)")
                refusal.wasSent = false
                throw refusal
            } catch {
                options.health.counted(repository, outcome: "no_answer")
                let problem = NetworkProblem.describe(error)
                lastProblem = "no answer (\(problem))"
                lastStatus = nil
                // A refused connection or an unknown host never reached the forge; anything else
                // (a connection closed or timed out after sending) may have been stored.
                mayHaveStored = mayHaveStored || (method != .GET && problem != "connection refused" && problem != "host name not resolved")
                failures += 1
                try await backOffOrGiveUp(failures, lastProblem, lastStatus, started: started, attemptStarted: attemptStarted, method, url)
                continue
            }
            let now = options.clock.now
            let signal = RateLimitSignal(headers: response.headers, kind: repository.kind, now: now)
            options.health.counted(
                repository, outcome: isRateLimited(response, signal) ? "rate_limited" : "\(min(max(response.status / 100, 1), 5))xx")
            let spentResource = response.header("x-ratelimit-resource") ?? resource
            if signal.isExhausted, let reset = signal.resetAt, reset > now, response.status < 400 {
                // The window is spent: hold every later request for this resource until it resets,
                // or refuse them at once when the reset is further away than we wait.
                try await holdOrRefuse(spentResource, wait: reset.timeIntervalSince(now) + 1, status: response.status, throwing: false)
            }
            if isRateLimited(response, signal) {
                // A primary limit (remaining 0) waits for its reset; a secondary limit says nothing
                // or gives Retry-After; without a hint GitHub asks for at least a minute.
                let wait = signal.wait(now: now) ?? (repository.kind == .github ? max(60, backoff(attempt)) : backoff(attempt))
                lastProblem = "\(response.status) rate limited"
                try await holdOrRefuse(spentResource, wait: wait, status: response.status, throwing: true)
                continue
            }
            if (response.status >= 500 && !isPermanentServerError(response)) || (retriesConflict && response.status == 409) {
                lastProblem = "\(response.status) \(HTTPResponseStatus(statusCode: response.status).reasonPhrase)"
                lastStatus = response.status
                // A gateway (502, 504) answers for a backend that may have finished the write; a 500
                // or 503 is the forge saying it did not.
                mayHaveStored = mayHaveStored || (method != .GET && (response.status == 502 || response.status == 504))
                failures += 1
                try await backOffOrGiveUp(failures, lastProblem, lastStatus, started: started, attemptStarted: attemptStarted, method, url)
                continue
            }
            options.health.answered(repository)
            return response
        }
    }

    /// Waits the next backoff when another attempt is allowed and the forge's retry budget has room
    /// for it; otherwise gives up: the request fails with `unavailable`, and the forge may be judged
    /// unavailable for the rest of the run.
    private func backOffOrGiveUp(
        _ attempt: Int, _ problem: String, _ status: Int?, started: Date, attemptStarted: Date,
        _ method: HTTPMethod, _ url: String
    ) async throws {
        let wait = backoff(attempt)
        // A failed attempt's own time (a connect timeout) counts against the budget too.
        let cost = wait + max(0, options.clock.now.timeIntervalSince(attemptStarted))
        let mayRetry = attempt < options.maxAttempts
        if mayRetry, options.health.spend(cost, budget: options.retryBudget, on: repository) {
            // Debug: an outage with many requests in flight would print a line per attempt; what
            // the user needs is the one line per problem the caller prints when a request gives up.
            logger.debug(
                "retrying",
                metadata: [
                    "request": "\(method.rawValue) \(scrub(url))", "attempt": "\(attempt)",
                    "seconds": "\(String(format: "%.1f", wait))", "problem": "\(problem)",
                ])
            try await options.clock.sleep(for: wait)
            return
        }
        // Judged unavailable by another request meanwhile: the same words as every other request
        // then stopped, so the run prints them as one line with a count.
        if let refusal = options.health.refusal(repository) { throw notSent(refusal, retried: true) }
        let seconds = Int(options.clock.now.timeIntervalSince(started).rounded())
        let why = mayRetry ? "; the retry budget for this forge (\(Int(options.retryBudget)) s a run) is spent" : ""
        let message = "\(problem) on \(attempt) attempt\(attempt == 1 ? "" : "s") over \(seconds) s\(why)"
        let host = WritePacerRegistry.host(of: repository)
        let error = options.health.gaveUp(repository, threshold: options.breakerThreshold) { judged in
            ForgeError(
                .unavailable, repository: repository.description, httpStatus: status,
                message: message
                    + (judged
                        ? "; \(host) is judged unavailable, its other requests in this run are not sent"
                        : "; the next run will retry"))
        }
        logger.debug("giving up", metadata: ["request": "\(method.rawValue) \(scrub(url))", "problem": "\(error.message)"])
        throw error
    }

    /// The error for a request not sent because the forge was judged unavailable: one message per
    /// repository, so a caller can count them as one problem.
    /// A request being retried when the forge was judged unavailable stops too, but it was sent.
    private func notSent(_ reason: ForgeError, retried: Bool = false) -> ForgeError {
        let host = WritePacerRegistry.host(of: repository)
        var error = ForgeError(
            .unavailable, repository: repository.description,
            message: retried
                ? "given up: \(host) was judged unavailable while this request was being retried; the next run will retry"
                : "not sent: \(host) was judged unavailable earlier in this run; the next run will retry")
        error.wasSent = retried
        return error
    }

    /// Closes the resource's gate for `wait` seconds, or, when that is longer than
    /// `options.maxRateLimitWait`, refuses every later request for it (and throws when `throwing`).
    private func holdOrRefuse(_ resource: String, wait: Double, status: Int, throwing: Bool) async throws {
        let now = options.clock.now
        guard wait <= options.maxRateLimitWait else {
            let minutes = Int((wait / 60).rounded(.up))
            let error = ForgeError(
                .rateLimited, repository: repository.description, httpStatus: status,
                message:
                    "the \(resource) rate limit is spent for \(minutes) more minutes, longer than the "
                    + "\(Int(options.maxRateLimitWait / 60)) minutes fluxstamp waits; the next run will continue"
            )
            logger.warning("rate limit spent beyond the longest wait", metadata: ["seconds": "\(Int(wait))", "resource": "\(resource)"])
            await gate.refuse(resource, until: now.addingTimeInterval(wait), with: error)
            if throwing { throw error }
            return
        }
        // A long hold explains a slow run; short ones (a storm of them) would only be noise.
        logger.log(
            level: wait >= 30 ? .info : .debug, "rate limited; holding requests",
            metadata: [
                "seconds": "\(Int(wait.rounded(.up)))", "resource": "\(resource)",
                "status": "\(status)",
            ])
        options.health.heldForRateLimit(repository, seconds: wait)
        await gate.close(resource, until: now.addingTimeInterval(wait))
    }

    /// The rate-limit budget a request draws on: GitHub counts GraphQL points apart from REST
    /// requests (`x-ratelimit-resource: graphql` vs `core`); other forges have one budget.
    func rateResource(for url: String) -> String {
        if repository.kind == .github, let graphQL = repository.graphQLURL, url == graphQL { return "graphql" }
        return "core"
    }

    private func execute(_ method: HTTPMethod, _ url: String, json: Data?, extraHeaders: [(String, String)]) async throws -> ForgeResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "fluxstamp")
        for (name, value) in try await authorize() { request.headers.replaceOrAdd(name: name, value: value) }
        for (name, value) in extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        let response = try await options.httpClient.execute(request, timeout: .seconds(options.requestTimeout))
        let body = try await response.body.collect(upTo: 64 << 20)
        return ForgeResponse(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Data(body.readableBytesView))
    }

    /// 429 always; 403 when the headers or body say it is a rate limit (GitHub answers primary and
    /// secondary limits with 403).
    private func isRateLimited(_ response: ForgeResponse, _ signal: RateLimitSignal) -> Bool {
        if response.status == 429 { return true }
        guard response.status == 403 else { return false }
        if signal.retryAfter != nil || signal.isExhausted { return true }
        return String(decoding: response.body, as: UTF8.self).lowercased().contains("rate limit")
    }

    /// Exponential backoff with jitter: base·2^(attempt-1), scaled by a random 50–100 %.
    func backoff(_ attempt: Int) -> Double {
        let ceiling = min(options.maxBackoff, options.initialBackoff * pow(2, Double(max(0, attempt - 1))))
        return ceiling * Double.random(in: 0.5...1.0)
    }

    /// Removes every secret from a text before it goes into an error or a log line.
    func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}

extension ForgeTransport: CustomReflectable {
    /// Shows only the repository, so a debug dump of a client never shows its secrets.
    var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}

/// Holds requests back while a rate-limit window is closed, per rate-limit resource (GitHub's
/// `core` and `graphql` budgets are separate: GraphQL points running out must not stop REST writes),
/// and refuses them at once when the window stays closed longer than the client waits.
actor RateGate {
    private let clock: any ForgeClock
    private var openAt: [String: Date] = [:]
    private var refused: [String: (until: Date, error: ForgeError)] = [:]

    init(clock: any ForgeClock) { self.clock = clock }

    func close(_ resource: String, until date: Date) {
        if openAt[resource].map({ $0 < date }) ?? true { openAt[resource] = date }
    }

    func refuse(_ resource: String, until date: Date, with error: ForgeError) {
        refused[resource] = (date, error)
    }

    func waitUntilOpen(_ resource: String) async throws {
        if let refusal = refused[resource], refusal.until > clock.now { throw refusal.error }
        while let openAt = openAt[resource], openAt > clock.now {
            try await clock.sleep(for: openAt.timeIntervalSince(clock.now))
        }
    }
}
