import Forges
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One request an emulator received, for tests and benchmarks to count and time.
public struct RecordedRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// Path without the query.
    public var path: String
    /// Path and query as sent.
    public var uri: String
    /// When it arrived, on the emulator's clock.
    public var time: Date
    /// The status the emulator answered.
    public var status: Int
}

/// Behaviour every forge emulator shares: the expected credential, a rate-limit budget, injected
/// failures and latency.
public struct ForgeEmulatorConfiguration: Sendable {
    /// The secret a client must present (token, app password or PAT).
    public var token: String
    /// Requests allowed per window before the emulator answers `rateLimitStatus`; nil = no limit.
    /// GitHub counts REST (`core`) and GraphQL (`graphql`) apart: this is the `core` budget.
    public var rateLimitBudget: Int?
    /// GitHub only: GraphQL queries allowed per window (the `graphql` resource); nil = no limit.
    /// A spent budget answers HTTP 200 with `errors[].type == "RATE_LIMITED"`, as GitHub does.
    public var graphQLRateLimitBudget: Int?
    /// Length of a rate-limit window, in seconds.
    public var rateLimitWindow: Double
    /// The status a spent budget answers (403 or 429).
    public var rateLimitStatus: Int
    /// Whether a spent budget's answer carries `Retry-After` (GitHub's primary limit does not: it
    /// sends `x-ratelimit-remaining: 0` and the reset time only).
    public var rateLimitRetryAfter: Bool
    /// Fraction of requests (0…1) answered with a random 5xx.
    public var serverErrorRate: Double
    /// Real delay before each answer, in seconds.
    public var latency: Double
    /// The commits the repository has; nil means every well-formed SHA (40 or 64 hex digits) exists.
    /// Writes to other commits are refused the way each forge refuses them.
    public var knownCommits: Set<String>?
    /// The clock timestamps and windows are measured on (share it with the client under test).
    public var clock: any ForgeClock

    /// A configuration; everything but the token has a permissive default.
    public init(
        token: String = "test-token", rateLimitBudget: Int? = nil, rateLimitWindow: Double = 60,
        rateLimitStatus: Int = 429, serverErrorRate: Double = 0, latency: Double = 0,
        clock: any ForgeClock = SystemForgeClock(), graphQLRateLimitBudget: Int? = nil,
        rateLimitRetryAfter: Bool = true, knownCommits: Set<String>? = nil
    ) {
        self.token = token
        self.rateLimitBudget = rateLimitBudget
        self.graphQLRateLimitBudget = graphQLRateLimitBudget
        self.rateLimitWindow = rateLimitWindow
        self.rateLimitStatus = rateLimitStatus
        self.rateLimitRetryAfter = rateLimitRetryAfter
        self.serverErrorRate = serverErrorRate
        self.latency = latency
        self.knownCommits = knownCommits
        self.clock = clock
    }
}

/// The shared front of every emulator: records each request, checks the rate budget per resource,
/// injects scripted or random 5xx, secondary limits and dropped answers, and adds rate-limit
/// headers to every answer. With `FLUXSTAMP_CONTRACT_LOG` naming a file, every exchange is
/// appended to it as one JSON line (scripts/contract-check validates them against the published
/// API descriptions).
public final class ForgeEmulatorCore: Sendable {
    /// The configuration.
    public let configuration: ForgeEmulatorConfiguration
    /// The forge this core serves, as recorded in the contract log (`azuredevops`, …).
    public let forge: String
    private let state = LockedBox(CoreState())
    /// Header prefix for rate-limit headers (`x-ratelimit-` or GitLab's `ratelimit-`).
    let rateHeaderPrefix: String
    private let contractLog: String?

    struct CoreState {
        var log: [RecordedRequest] = []
        var windows: [String: (start: Date, used: Int)] = [:]
        var scripted: [Int] = []
        var secondary: [Double?] = []
        /// Pending dropped answers: each drops the next stored POST whose path contains the text (any POST when nil).
        var drops: [String?] = []
    }

    /// False when the emulator plays another version than the published description covers (an
    /// older Bitbucket Data Center): its answers are recorded apart, not checked against it.
    let emulatesDescribedVersion: Bool

    init(
        _ configuration: ForgeEmulatorConfiguration, forge: String, rateHeaderPrefix: String = "x-ratelimit-",
        emulatesDescribedVersion: Bool = true
    ) {
        self.configuration = configuration
        self.forge = forge
        self.emulatesDescribedVersion = emulatesDescribedVersion
        self.rateHeaderPrefix = rateHeaderPrefix
        let path = ProcessInfo.processInfo.environment["FLUXSTAMP_CONTRACT_LOG"]
        self.contractLog = (path?.isEmpty ?? true) ? nil : path
    }

    /// Every request received so far.
    public var requests: [RecordedRequest] { state.get().log }

    /// Answers the next `times` requests with `status` (e.g. 502), before any other check.
    public func failNext(status: Int, times: Int = 1) {
        state.withValue { $0.scripted += Array(repeating: status, count: times) }
    }

    /// Answers the next `times` requests with a secondary rate limit: 403 and GitHub's message,
    /// `remaining` not 0, and `Retry-After` only when `retryAfter` is given (GitHub often sends none).
    public func secondaryLimitNext(times: Int = 1, retryAfter: Double? = nil) {
        state.withValue { $0.secondary += Array(repeating: retryAfter, count: times) }
    }

    /// Handles the next `times` writes (POST) fully, storing what they carry, then closes the
    /// connection without answering: the answer is lost after the forge stored the write. With
    /// `pathContaining`, only POSTs whose path contains it count (`/statuses/`: status writes, not
    /// GitHub's GraphQL reads, which are POSTs too).
    public func dropAnswerAfterStoringNext(times: Int = 1, pathContaining: String? = nil) {
        state.withValue { $0.drops += Array(repeating: pathContaining, count: times) }
    }

    /// The header a test sets on a deliberately invalid request (to see an emulator refuse it), so
    /// the contract check expects a refusal instead of counting a violation.
    public static let probeHeader = "X-Fluxstamp-Contract-Probe"

    /// Forgets the recorded requests (not the stored statuses).
    public func clearRequests() { state.withValue { $0.log.removeAll() } }

    /// Whether `sha` names a commit of the repository: well formed (40 or 64 hex digits) and, when
    /// `knownCommits` is set, one of them.
    public func commitExists(_ sha: String) -> Bool {
        guard (sha.count == 40 || sha.count == 64), sha.allSatisfy(\.isHexDigit) else { return false }
        return configuration.knownCommits.map { $0.contains(sha.lowercased()) } ?? true
    }

    /// Handles the shared part of a request; `route` answers it when nothing shared did. `resource`
    /// names the rate-limit budget the request draws on (GitHub: `core` or `graphql`); `limited`
    /// answers a spent budget for resources whose answer is not the configured status.
    func handle(
        _ request: EmulatorRequest, authorized: (EmulatorRequest) -> Bool, resource: String = "core",
        limited: ((Date) -> EmulatorResponse)? = nil,
        route: (EmulatorRequest) -> EmulatorResponse
    ) async -> EmulatorResponse {
        if configuration.latency > 0 { try? await Task.sleep(for: .milliseconds(Int(configuration.latency * 1000))) }
        let now = configuration.clock.now
        let budget = resource == "graphql" ? configuration.graphQLRateLimitBudget : configuration.rateLimitBudget
        let (injected, secondary, rate) = state.withValue { s -> (Int?, Double??, (remaining: Int, reset: Date, spent: Bool)?) in
            let injected = s.scripted.isEmpty ? nil : s.scripted.removeFirst()
            let secondary: Double?? = injected == nil && !s.secondary.isEmpty ? .some(s.secondary.removeFirst()) : nil
            guard let budget else { return (injected, secondary, nil) }
            var window = s.windows[resource] ?? (now, 0)
            if now.timeIntervalSince(window.start) >= configuration.rateLimitWindow { window = (now, 0) }
            let reset = window.start.addingTimeInterval(configuration.rateLimitWindow)
            defer { s.windows[resource] = window }
            if window.used >= budget { return (injected, secondary, (0, reset, true)) }
            window.used += 1
            return (injected, secondary, (budget - window.used, reset, false))
        }
        var response: EmulatorResponse
        var drop = false
        // Who answered: a failure the test injected, the shared front (rate limit, credential), or
        // the emulated operation; the contract check validates only the operation's answers.
        var origin = emulatesDescribedVersion ? "operation" : "other-version"
        if let injected {
            origin = "injected"
            response = .json(injected, #"{"message":"injected server error"}"#)
        } else if let secondary {
            origin = "injected"
            let message =
                #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try "#
                + #"again.","documentation_url":"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"}"#
            response = .json(403, message, headers: secondary.map { [("Retry-After", String(Int($0)))] } ?? [])
        } else if let rate, rate.spent {
            origin = "platform"
            if let limited {
                response = limited(rate.reset)
            } else {
                let wait = Int(rate.reset.timeIntervalSince(now).rounded(.up))
                response = .json(
                    configuration.rateLimitStatus, #"{"message":"API rate limit exceeded"}"#,
                    headers: configuration.rateLimitRetryAfter ? [("Retry-After", String(max(1, wait)))] : [])
            }
        } else if configuration.serverErrorRate > 0, Double.random(in: 0..<1) < configuration.serverErrorRate {
            origin = "injected"
            response = .json([500, 502, 503].randomElement()!, #"{"message":"random server error"}"#)
        } else if !authorized(request) {
            origin = "platform"
            response = .json(401, #"{"message":"Bad credentials"}"#)
        } else {
            response = route(request)
            if request.method == "POST", (200..<300).contains(response.status) {
                drop = state.withValue { s in
                    guard let next = s.drops.first, next.map({ request.path.contains($0) }) ?? true else { return false }
                    s.drops.removeFirst()
                    return true
                }
            }
        }
        if let rate, let budget {
            response.headers += [
                (rateHeaderPrefix + "limit", String(budget)),
                (rateHeaderPrefix + "remaining", String(rate.remaining)),
                (rateHeaderPrefix + "reset", String(Int(rate.reset.timeIntervalSince1970.rounded(.up)))),
                (rateHeaderPrefix + "resource", resource),
            ]
        }
        let record = RecordedRequest(
            method: request.method, path: request.path, uri: request.uri, time: now, status: drop ? 0 : response.status)
        state.withValue { $0.log.append(record) }
        if !drop { recordExchange(request, response, origin: origin) }
        response.dropsConnection = drop
        return response
    }

    /// Appends the exchange to the contract log, one JSON object a line, in one write (O_APPEND),
    /// so parallel tests never interleave lines.
    private func recordExchange(_ request: EmulatorRequest, _ response: EmulatorResponse, origin: String) {
        guard let contractLog else { return }
        let entry: [String: Any] = [
            "forge": forge, "method": request.method, "origin": origin,
            // A test that sends a deliberately invalid request to see the emulator refuse it says so.
            "probe": request.header(Self.probeHeader) != nil, "path": request.path, "query": request.query,
            "requestBody": request.body.isEmpty ? NSNull() : request.bodyText,
            "status": response.status, "responseBody": response.body.isEmpty ? NSNull() : String(decoding: response.body, as: UTF8.self),
        ]
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(0x0A)
        let fd = open(contractLog, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Whether the request carries the configured token in one of the forms a forge accepts.
    func presents(
        _ request: EmulatorRequest, bearer: Bool = false, tokenScheme: Bool = false,
        basicPassword: Bool = false, basicUserPassword: Bool = false, header: String? = nil
    ) -> Bool {
        let token = configuration.token
        if let header, request.header(header) == token { return true }
        guard let auth = request.header("Authorization") else { return false }
        if bearer, auth == "Bearer \(token)" { return true }
        if tokenScheme, auth == "token \(token)" { return true }
        if auth.hasPrefix("Basic "), let data = Data(base64Encoded: String(auth.dropFirst(6))) {
            let text = String(decoding: data, as: UTF8.self)
            if basicUserPassword, text == token { return true }
            if basicPassword, let colon = text.firstIndex(of: ":"), String(text[text.index(after: colon)...]) == token { return true }
        }
        return false
    }
}

/// JSON helpers for emulators.
enum EmulatorJSON {
    static func object(_ request: EmulatorRequest) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
    }

    static func response(_ status: Int, _ value: Any, headers: [(name: String, value: String)] = []) -> EmulatorResponse {
        let data =
            (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return .json(status, String(decoding: data, as: UTF8.self), headers: headers)
    }

    static func message(_ status: Int, _ text: String) -> EmulatorResponse { response(status, ["message": text]) }

    static func date(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension EmulatorRequest {
    /// Path segments, still percent-encoded.
    var segments: [String] { path.split(separator: "/").map(String.init) }
}
