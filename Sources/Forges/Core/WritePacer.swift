import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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
/// callers (from any number of clients sharing this pacer) never exceed either limit. With a
/// `PacingFile`, the hourly window lives in that file (under an exclusive lock), so runs that
/// follow or overlap each other share it: GitHub's 500 an hour counts per identity, not per run.
actor WritePacer {
    private let pacing: WritePacing
    private let clock: any ForgeClock
    private let file: PacingFile?
    /// When the bucket would next be empty-handed; `burst - 1` intervals of credit before it.
    private var theoreticalArrival: Date
    /// Send times of the most recent writes, oldest first, at most `perHour` of them.
    private var recent: [Date] = []

    init(_ pacing: WritePacing, clock: any ForgeClock, file: PacingFile? = nil) {
        self.pacing = pacing
        self.clock = clock
        self.file = file
        theoreticalArrival = clock.now
    }

    /// Reserves the next send time and waits for it. When the hourly cap puts that time more than
    /// `maxWait` seconds away, nothing is reserved and `HourlyCapSpent` is thrown: a CronJob run
    /// does not sit out the hour, the next run (which shares the window through the file) writes on.
    func acquire(maxWait: Double = .infinity) async throws {
        guard case .perMinute(let perMinute, let burst, let perHour) = pacing, perMinute > 0 else { return }
        let now = clock.now
        let interval = 60 / perMinute
        var slot = max(now, theoreticalArrival.addingTimeInterval(-Double(max(burst, 1) - 1) * interval))
        let earliest = slot
        let latest = now.addingTimeInterval(maxWait)
        // When the file cannot be used (a read-only cache directory), the window is kept in
        // memory: this run still keeps the hourly cap, it just cannot share it.
        // `shared`: nil when the file was not used; `.some(nil)` when the slot lies beyond `latest`.
        var shared: Date?? = nil
        if let perHour, perHour > 0, let file {
            do {
                shared = .some(
                    try file.reserve(keeping: perHour, now: now, latest: latest) { recent in
                        recent.count >= perHour ? max(earliest, recent[recent.count - perHour].addingTimeInterval(3600)) : earliest
                    })
            } catch {
                shared = nil
            }
        }
        if let perHour, let shared {
            guard let reserved = shared else { throw HourlyCapSpent(perHour: perHour) }
            slot = reserved
        } else if let perHour, perHour > 0 {
            if recent.count >= perHour { slot = max(slot, recent[recent.count - perHour].addingTimeInterval(3600)) }
            guard slot <= latest else { throw HourlyCapSpent(perHour: perHour) }
            recent.append(slot)
            if recent.count > perHour { recent.removeFirst(recent.count - perHour) }
        }
        theoreticalArrival = max(theoreticalArrival, slot).addingTimeInterval(interval)
        let wait = slot.timeIntervalSince(now)
        if wait > 0 { try await clock.sleep(for: wait) }
    }
}

/// The hourly write cap is spent for longer than a run waits: the write was not sent.
struct HourlyCapSpent: Error {
    /// The cap, writes in any sliding hour.
    var perHour: Int
}

/// One forge identity's recent write times in a small file (JSON array of epoch seconds), read and
/// rewritten under an exclusive `flock`, so two runs that overlap never both take the last slot.
struct PacingFile: Sendable {
    /// The file's path.
    let path: String

    /// Under the lock: reads the send times of the last hour (oldest first), asks `choose` for the
    /// next slot, records it, keeps the newest `keeping`, and writes the file back. A slot later
    /// than `latest` is not recorded: the answer is `.some(nil)` and the file is left as it was.
    func reserve(keeping limit: Int, now: Date, latest: Date = .distantFuture, _ choose: ([Date]) -> Date) throws -> Date? {
        var fd = open(path, O_RDWR | O_CREAT, 0o600)
        if fd < 0, errno == ENOENT {
            // The cache directory may not exist yet (every repository given with --repo, nothing
            // cloned): make it, or the window silently stays in this run's memory.
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            fd = open(path, O_RDWR | O_CREAT, 0o600)
        }
        guard fd >= 0 else { throw PacingFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw PacingFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { flock(fd, LOCK_UN) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        let data = (try? handle.readToEnd()) ?? Data()
        let stored = ((try? JSONDecoder().decode([Double].self, from: data)) ?? []).map(Date.init(timeIntervalSince1970:))
        // A slot can lie in the future (reserved by a run now waiting for it): keep those too.
        var recent = stored.filter { $0 > now.addingTimeInterval(-3600) }.sorted()
        let slot = choose(recent)
        guard slot <= latest else { return nil }
        recent.append(slot)
        recent.sort()
        if recent.count > limit { recent.removeFirst(recent.count - limit) }
        let out = try JSONEncoder().encode(recent.map(\.timeIntervalSince1970))
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw PacingFileError(path: path, reason: String(cString: strerror(errno)))
        }
        try handle.write(contentsOf: out)
        return slot
    }
}

/// The pacing file could not be used.
struct PacingFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String {
        "cannot keep the write-pacing window in \(path): \(reason); check that the cache directory is writable"
    }
}
