import Foundation

/// How fast a client may create statuses.
public enum WritePacing: Sendable, Hashable {
    /// No pacing (tests, benchmarks, forges without a write limit).
    case unlimited
    /// A token bucket: `perMinute` writes a minute on average, `burst` at once; with `perHour`, also
    /// at most that many writes in any sliding hour.
    case perMinute(Double, burst: Int, perHour: Int? = nil)

    /// The default for a forge. GitHub: 80 content-creating requests a minute, burst 10, and 500 an
    /// hour (its secondary-limit guidance, which counts per user or App, so clients with the same
    /// credential share one pacer: see `WritePacerRegistry`). Bitbucket Cloud: 1000 requests an
    /// hour per token, so 15 writes a minute leaves room for reads. Others: 300 a minute.
    public static func defaultPacing(for kind: ForgeKind) -> WritePacing {
        switch kind {
        case .github: .perMinute(80, burst: 10, perHour: 500)
        case .bitbucket: .perMinute(15, burst: 5)
        default: .perMinute(300, burst: 20)
        }
    }
}

/// Schedules writes: a token bucket for the per-minute rate and burst (kept as a "theoretical
/// arrival time", GCRA), and, with an hourly cap, a sliding window of the last `perHour` send
/// times. Each caller reserves its send time under the actor before sleeping, so concurrent
/// callers (from any number of clients sharing this pacer) never exceed either limit.
actor WritePacer {
    private let pacing: WritePacing
    private let clock: any ForgeClock
    /// When the bucket would next be empty-handed; `burst - 1` intervals of credit before it.
    private var theoreticalArrival: Date
    /// Send times of the most recent writes, oldest first, at most `perHour` of them.
    private var recent: [Date] = []

    init(_ pacing: WritePacing, clock: any ForgeClock) {
        self.pacing = pacing
        self.clock = clock
        theoreticalArrival = clock.now
    }

    /// Reserves the next send time and waits for it.
    func acquire() async throws {
        guard case .perMinute(let perMinute, let burst, let perHour) = pacing, perMinute > 0 else { return }
        let now = clock.now
        let interval = 60 / perMinute
        var slot = max(now, theoreticalArrival.addingTimeInterval(-Double(max(burst, 1) - 1) * interval))
        if let perHour, perHour > 0 {
            if recent.count >= perHour { slot = max(slot, recent[recent.count - perHour].addingTimeInterval(3600)) }
            recent.append(slot)
            if recent.count > perHour { recent.removeFirst(recent.count - perHour) }
        }
        theoreticalArrival = max(theoreticalArrival, slot).addingTimeInterval(interval)
        let wait = slot.timeIntervalSince(now)
        if wait > 0 { try await clock.sleep(for: wait) }
    }
}
