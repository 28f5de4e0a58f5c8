import Foundation

/// How fast a client may create statuses.
public enum WritePacing: Sendable, Hashable {
    /// No pacing (tests, benchmarks, forges without a write limit).
    case unlimited
    /// A token bucket: `perMinute` writes a minute on average, `burst` at once.
    case perMinute(Double, burst: Int)

    /// The default for a forge. GitHub: 80 content-creating requests a minute (its secondary-limit
    /// guidance). Bitbucket Cloud: 1000 requests an hour per token, so 15 writes a minute leaves room
    /// for reads. Others: 300 a minute.
    public static func defaultPacing(for kind: ForgeKind) -> WritePacing {
        switch kind {
        case .github: .perMinute(80, burst: 10)
        case .bitbucket: .perMinute(15, burst: 5)
        default: .perMinute(300, burst: 20)
        }
    }
}

/// A token bucket that writes wait on before they are sent.
actor WritePacer {
    private let pacing: WritePacing
    private let clock: any ForgeClock
    private var tokens: Double
    private var refilledAt: Date

    init(_ pacing: WritePacing, clock: any ForgeClock) {
        self.pacing = pacing
        self.clock = clock
        if case .perMinute(_, let burst) = pacing { tokens = Double(max(burst, 1)) } else { tokens = 0 }
        refilledAt = clock.now
    }

    /// Takes one token, waiting until one is available. Concurrent callers each reserve a token
    /// before sleeping, so the bucket never hands out more than its rate.
    func acquire() async throws {
        guard case .perMinute(let perMinute, let burst) = pacing, perMinute > 0 else { return }
        let rate = perMinute / 60
        let now = clock.now
        tokens = min(Double(max(burst, 1)), tokens + now.timeIntervalSince(refilledAt) * rate)
        refilledAt = now
        tokens -= 1
        if tokens < 0 { try await clock.sleep(for: -tokens / rate) }
    }
}
