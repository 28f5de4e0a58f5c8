import Forges
import Foundation

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
    public var rateLimitBudget: Int?
    /// Length of a rate-limit window, in seconds.
    public var rateLimitWindow: Double
    /// The status a spent budget answers (403 or 429).
    public var rateLimitStatus: Int
    /// Fraction of requests (0…1) answered with a random 5xx.
    public var serverErrorRate: Double
    /// Real delay before each answer, in seconds.
    public var latency: Double
    /// The clock timestamps and windows are measured on (share it with the client under test).
    public var clock: any ForgeClock

    /// A configuration; everything but the token has a permissive default.
    public init(token: String = "test-token", rateLimitBudget: Int? = nil, rateLimitWindow: Double = 60,
                rateLimitStatus: Int = 429, serverErrorRate: Double = 0, latency: Double = 0,
                clock: any ForgeClock = SystemForgeClock()) {
        self.token = token
        self.rateLimitBudget = rateLimitBudget
        self.rateLimitWindow = rateLimitWindow
        self.rateLimitStatus = rateLimitStatus
        self.serverErrorRate = serverErrorRate
        self.latency = latency
        self.clock = clock
    }
}

/// The shared front of every emulator: records each request, checks the rate budget, injects
/// scripted or random 5xx, and adds rate-limit headers to every answer.
public final class ForgeEmulatorCore: @unchecked Sendable {
    /// The configuration.
    public let configuration: ForgeEmulatorConfiguration
    private let lock = NSLock()
    private var log: [RecordedRequest] = []
    private var windowStart: Date?
    private var used = 0
    private var scripted: [Int] = []
    /// Header prefix for rate-limit headers (`x-ratelimit-` or GitLab's `ratelimit-`).
    let rateHeaderPrefix: String

    init(_ configuration: ForgeEmulatorConfiguration, rateHeaderPrefix: String = "x-ratelimit-") {
        self.configuration = configuration
        self.rateHeaderPrefix = rateHeaderPrefix
    }

    /// Every request received so far.
    public var requests: [RecordedRequest] { lock.withLock { log } }

    /// Answers the next `times` requests with `status` (e.g. 502), before any other check.
    public func failNext(status: Int, times: Int = 1) {
        lock.withLock { scripted += Array(repeating: status, count: times) }
    }

    /// Forgets the recorded requests (not the stored statuses).
    public func clearRequests() { lock.withLock { log.removeAll() } }

    /// Handles the shared part of a request; `route` answers it when nothing shared did.
    func handle(_ request: EmulatorRequest, authorized: (EmulatorRequest) -> Bool,
                route: (EmulatorRequest) -> EmulatorResponse) async -> EmulatorResponse {
        if configuration.latency > 0 { try? await Task.sleep(for: .milliseconds(Int(configuration.latency * 1000))) }
        let now = configuration.clock.now
        var response: EmulatorResponse
        let (injected, rate) = lock.withLock { () -> (Int?, (remaining: Int, reset: Date, spent: Bool)?) in
            let injected = scripted.isEmpty ? nil : scripted.removeFirst()
            guard let budget = configuration.rateLimitBudget else { return (injected, nil) }
            if windowStart.map({ now.timeIntervalSince($0) >= configuration.rateLimitWindow }) ?? true {
                windowStart = now
                used = 0
            }
            let reset = windowStart!.addingTimeInterval(configuration.rateLimitWindow)
            if used >= budget { return (injected, (0, reset, true)) }
            used += 1
            return (injected, (budget - used, reset, false))
        }
        if let injected {
            response = .json(injected, #"{"message":"injected server error"}"#)
        } else if let rate, rate.spent {
            let wait = Int(rate.reset.timeIntervalSince(now).rounded(.up))
            response = .json(configuration.rateLimitStatus, #"{"message":"API rate limit exceeded"}"#,
                             headers: [("Retry-After", String(max(1, wait)))])
        } else if configuration.serverErrorRate > 0, Double.random(in: 0..<1) < configuration.serverErrorRate {
            response = .json([500, 502, 503].randomElement()!, #"{"message":"random server error"}"#)
        } else if !authorized(request) {
            response = .json(401, #"{"message":"Bad credentials"}"#)
        } else {
            response = route(request)
        }
        if let rate, let budget = configuration.rateLimitBudget {
            response.headers += [(rateHeaderPrefix + "limit", String(budget)),
                                 (rateHeaderPrefix + "remaining", String(rate.remaining)),
                                 (rateHeaderPrefix + "reset", String(Int(rate.reset.timeIntervalSince1970)))]
        }
        let record = RecordedRequest(method: request.method, path: request.path, uri: request.uri, time: now, status: response.status)
        lock.withLock { log.append(record) }
        return response
    }

    /// Whether the request carries the configured token in one of the forms a forge accepts.
    func presents(_ request: EmulatorRequest, bearer: Bool = false, tokenScheme: Bool = false,
                  basicPassword: Bool = false, basicUserPassword: Bool = false, header: String? = nil) -> Bool {
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
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return .json(status, String(decoding: data, as: UTF8.self), headers: headers)
    }

    static func message(_ status: Int, _ text: String) -> EmulatorResponse { response(status, ["message": text]) }

    static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

extension EmulatorRequest {
    /// Path segments, still percent-encoded.
    var segments: [String] { path.split(separator: "/").map(String.init) }
}
