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

    private let pacer: WritePacer
    private let gate: RateGate
    /// `options.logger` with the repository as metadata; messages never carry a secret.
    let logger: Logger

    init(repository: ForgeRepository, options: ForgeOptions, credential: ForgeCredential?, counter: RequestCounter = RequestCounter(),
         authorize: @escaping @Sendable () async throws -> [(String, String)]) {
        self.repository = repository
        self.options = options
        self.counter = counter
        self.authorize = authorize
        self.secrets = (credential?.secrets ?? []).filter { $0.count >= 4 }
        // Shared by every client for the same host and credential: write limits count per identity.
        self.pacer = options.writePacers.pacer(for: repository, credential: credential,
                                               pacing: options.writePacing ?? .defaultPacing(for: repository.kind), clock: options.clock)
        self.gate = RateGate(clock: options.clock)
        var logger = options.logger
        logger[metadataKey: "forge.repository"] = "\(repository.description)"
        self.logger = logger
    }

    /// Sends a request, retrying what is worth retrying; returns the final response, whatever its
    /// status, or throws `unavailable`/`rateLimited` when retries run out.
    func send(_ method: HTTPMethod, _ url: String, json: Data? = nil, purpose: RequestPurpose,
              extraHeaders: [(String, String)] = []) async throws -> ForgeResponse {
        if purpose == .write { try await pacer.acquire() }
        var attempt = 0
        var lastProblem = ""
        while attempt < options.maxAttempts {
            try await gate.waitUntilOpen()
            counter.record(purpose, retry: attempt > 0)
            attempt += 1
            let response: ForgeResponse
            do {
                response = try await execute(method, url, json: json, extraHeaders: extraHeaders)
            } catch let error as ForgeError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastProblem = "no answer (\(scrub(String(describing: error))))"
                let wait = backoff(attempt)
                logger.info("retrying after a connection failure", metadata: retryMetadata(method, url, attempt, wait, lastProblem))
                try await options.clock.sleep(for: wait)
                continue
            }
            let signal = RateLimitSignal(headers: response.headers, kind: repository.kind, now: options.clock.now)
            if signal.isExhausted, let reset = signal.resetAt, reset > options.clock.now, response.status < 400 {
                // The window is spent: hold every later request until it resets.
                logger.info("rate-limit window spent; holding requests until it resets",
                            metadata: ["seconds": "\(Int(reset.timeIntervalSince(options.clock.now).rounded(.up)) + 1)",
                                       "resource": "\(response.header("x-ratelimit-resource") ?? "default")"])
                await gate.close(until: reset.addingTimeInterval(1))
            }
            if isRateLimited(response, signal) {
                // Without a hint, GitHub asks for at least a minute after a secondary limit.
                let wait = signal.wait(now: options.clock.now)
                    ?? (repository.kind == .github ? max(60, backoff(attempt)) : backoff(attempt))
                guard wait <= options.maxRateLimitWait else {
                    throw ForgeError(.rateLimited, repository: repository.description, httpStatus: response.status,
                                     message: "\(response.status) rate limited for \(Int(wait))s, longer than the \(Int(options.maxRateLimitWait))s allowed; the next run will continue")
                }
                lastProblem = "\(response.status) rate limited"
                logger.info("rate limited; waiting before the next request",
                            metadata: ["seconds": "\(Int(wait.rounded(.up)))", "status": "\(response.status)",
                                       "resource": "\(response.header("x-ratelimit-resource") ?? "default")"])
                await gate.close(until: options.clock.now.addingTimeInterval(wait))
                continue
            }
            if response.status >= 500 || (retriesConflict && response.status == 409) {
                lastProblem = "\(response.status) \(HTTPResponseStatus(statusCode: response.status).reasonPhrase)"
                let wait = backoff(attempt)
                logger.info("retrying after a server error", metadata: retryMetadata(method, url, attempt, wait, lastProblem))
                try await options.clock.sleep(for: wait)
                continue
            }
            return response
        }
        throw ForgeError(.unavailable, repository: repository.description,
                         message: "\(lastProblem) after \(attempt) attempts; the forge is unavailable, the next run will retry")
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
        return ForgeResponse(status: Int(response.status.code),
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

    /// What a retry log line carries: the request line (scrubbed), the attempt and the wait.
    private func retryMetadata(_ method: HTTPMethod, _ url: String, _ attempt: Int, _ wait: Double, _ problem: String) -> Logger.Metadata {
        ["request": "\(method.rawValue) \(scrub(url))", "attempt": "\(attempt)", "seconds": "\(String(format: "%.1f", wait))",
         "problem": "\(problem)"]
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

/// Holds requests back while a rate-limit window is closed.
actor RateGate {
    private let clock: any ForgeClock
    private var openAt: Date?

    init(clock: any ForgeClock) { self.clock = clock }

    func close(until date: Date) {
        if openAt.map({ $0 < date }) ?? true { openAt = date }
    }

    func waitUntilOpen() async throws {
        while let openAt, openAt > clock.now {
            try await clock.sleep(for: openAt.timeIntervalSince(clock.now))
        }
    }
}
