import Foundation

/// What a response's headers say about the rate limit.
struct RateLimitSignal: Sendable, Hashable {
    /// `Retry-After`, in seconds.
    var retryAfter: Double?
    /// Requests left in the current window.
    var remaining: Int?
    /// When the window resets.
    var resetAt: Date?

    /// Reads the headers a forge uses. GitHub, Gitea, Bitbucket and Azure DevOps use
    /// `X-RateLimit-Remaining`/`-Reset` (epoch seconds); GitLab uses `RateLimit-Remaining`/`-Reset`.
    /// Azure DevOps sends `X-RateLimit-Reset` as epoch seconds too. `Retry-After` is seconds or an
    /// HTTP date everywhere.
    init(headers: [(name: String, value: String)], kind: ForgeKind, now: Date) {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
        }
        if let value = header("retry-after") {
            if let seconds = Double(value) {
                retryAfter = max(0, seconds)
            } else if let date = RateLimitSignal.httpDate(value) {
                retryAfter = max(0, date.timeIntervalSince(now))
            }
        }
        let prefix = kind == .gitlab ? "ratelimit-" : "x-ratelimit-"
        remaining =
            header(prefix + "remaining").flatMap { Int($0) }
            ?? header(kind == .gitlab ? "x-ratelimit-remaining" : "ratelimit-remaining").flatMap { Int($0) }
        if let reset = header(prefix + "reset").flatMap(Double.init) {
            resetAt = Date(timeIntervalSince1970: reset)
        }
    }

    /// Whether this response shows the window is spent.
    var isExhausted: Bool { remaining == 0 }

    /// How long to wait before the next request, if the headers say so.
    func wait(now: Date) -> Double? {
        if let retryAfter { return retryAfter }
        if isExhausted, let resetAt { return max(0, resetAt.timeIntervalSince(now)) + 1 }
        return nil
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
