import Foundation
import Ledger
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Ledger benchmark: a cluster of 200 Kustomizations, each reporting 5 observations (its status and history) per
/// run, recorded for 1,000 runs (one every 5 minutes). Steady state: each Kustomization deploys a new revision every
/// 10 runs, so most observations re-observe known facts; worst case: every observation is a new fact.
/// Prints disk size (target < 100 MB) and ledger time per run (target < 50 ms median) for SQLite, and for
/// PostgreSQL when a URL is given.
enum LedgerBench {
    struct TargetMissed: Error, CustomStringConvertible { var description: String }

    static let kustomizations = 200
    static let perKustomization = 5

    /// `ledger DIRECTORY [POSTGRES_URL]`: SQLite files go in DIRECTORY.
    static func run(_ arguments: [String]) async throws {
        guard let directory = arguments.first else { throw TargetMissed(description: "usage: ledger DIRECTORY [POSTGRES_URL]") }
        let runs = Int(ProcessInfo.processInfo.environment["BENCH_LEDGER_RUNS"] ?? "") ?? 1_000
        var missed: [String] = []
        // BENCH_LEDGER_BACKENDS=postgres measures one backend alone (default: sqlite,postgres).
        let backends = Set((ProcessInfo.processInfo.environment["BENCH_LEDGER_BACKENDS"] ?? "sqlite,postgres").split(separator: ","))
        var targets: [(String, LedgerURL)] = []
        if backends.contains("sqlite") { targets.append(("SQLite", LedgerURL(sqlitePath: directory + "/steady.db"))) }
        if arguments.count > 1, backends.contains("postgres") { targets.append(("PostgreSQL", try LedgerURL(arguments[1]))) }
        for (label, url) in targets {
            let result = try await measure(url, runs: runs, allNew: false)
            print(result.line(label: "\(label), steady"))
            if result.megabytes >= 100 { missed.append("\(label) steady: \(result.megabytes) MB on disk, target < 100") }
            if result.median >= 50 { missed.append("\(label) steady: median \(result.median) ms per run, target < 50") }
        }
        // The worst case only for SQLite, whose file size is the constraint (a CronJob volume).
        if backends.contains("sqlite") {
            let worst = try await measure(LedgerURL(sqlitePath: directory + "/all-new.db"), runs: runs, allNew: true)
            print(worst.line(label: "SQLite, every observation new (worst case)"))
        }
        if !missed.isEmpty { throw TargetMissed(description: missed.joined(separator: "; ")) }
        print("targets met: < 100 MB on disk and < 50 ms median ledger time per run (steady state)")
    }

    struct Result {
        var runs: Int
        var rows: Int
        var bytes: Int64
        var writeTimes: [Double]
        var readTimes: [Double]
        var fullRead: Double
        /// CPU time of this process (the client side: encoding, SQLite's own work) per run.
        var clientCPU: Double
        /// CPU time of the PostgreSQL server's processes per run (nil: SQLite, or the server's processes are not known).
        var serverCPU: Double?
        /// The machine's 1-minute load average at the end: on a shared machine wall times include waiting for a core.
        var load: String
        var megabytes: Double { (Double(bytes) / 1_000_000 * 10).rounded() / 10 }
        var median: Double { percentile(zip(writeTimes, readTimes).map(+), 0.5) }

        func line(label: String) -> String {
            let total = zip(writeTimes, readTimes).map(+)
            return "ledger \(label): \(runs) runs × \(kustomizations * perKustomization) observations, \(rows) observation rows, "
                + "\(megabytes) MB on disk (\(Int64(bytes) / Int64(max(rows, 1))) B per row); per run: "
                + "record median \(format(percentile(writeTimes, 0.5))) ms p90 \(format(percentile(writeTimes, 0.9))) ms, "
                + "read back median \(format(percentile(readTimes, 0.5))) ms p90 \(format(percentile(readTimes, 0.9))) ms, "
                + "total median \(format(percentile(total, 0.5))) ms p90 \(format(percentile(total, 0.9))) ms; "
                + "reading all \(rows) rows of the cluster once: \(format(fullRead)) ms; "
                + "CPU per run: this process \(format(clientCPU)) ms"
                + (serverCPU.map { ", PostgreSQL server \(format($0)) ms, together \(format(clientCPU + $0)) ms" } ?? "")
                + "; load average \(load)"
        }
    }

    static func measure(_ url: LedgerURL, runs: Int, allNew: Bool) async throws -> Result {
        let ledger = try await Ledger.open(url, logger: Logger(label: "ledger-bench"))
        var writeTimes: [Double] = []
        var readTimes: [Double] = []
        let clock = ContinuousClock()
        let cpuBefore = cpuMilliseconds()
        let serverBefore = url.isPostgres ? serverCPUMilliseconds() : nil
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        for run in 0..<runs {
            let now = start.addingTimeInterval(Double(run) * 300)
            var observations: [ObservationRecord] = []
            var writes: [WrittenStatusRecord] = []
            for index in 0..<kustomizations {
                // Revision number of this Kustomization at this run; the 5 observations are its last 5 revisions.
                let current = allNew ? run * perKustomization + perKustomization - 1 : (run + index) / 10 + perKustomization - 1
                let changed = allNew || (run + index) % 10 == 0
                for back in 0..<perKustomization {
                    let revision = current - back
                    let sha = String(format: "%040x", index * 1_000_000 + revision)
                    observations.append(
                        ObservationRecord(
                            cluster: "production", namespace: "apps", name: "app-\(index)", revision: "main@sha1:\(sha)", sha: sha,
                            outcome: revision % 13 == 0 ? .failed : .succeeded,
                            reason: revision % 13 == 0 ? "HealthCheckFailed" : "ReconciliationSucceeded",
                            message: "Applied revision: main@sha1:\(sha)", time: now.addingTimeInterval(Double(-back) * 3000),
                            origin: back == 0 ? .status : .history
                        ))
                }
                if changed {
                    let sha = String(format: "%040x", index * 1_000_000 + current)
                    writes.append(
                        WrittenStatusRecord(
                            repository: "https://github.com/acme/app-\(index % 20)", sha: sha, context: "kustomization/apps/app-\(index)",
                            state: "success", description: "Reconciliation succeeded on production", writtenAt: now
                        ))
                }
            }
            let began = clock.now
            let id = try await ledger.beginRun(cluster: "production", version: "bench", started: now)
            try await ledger.finishRun(
                id, outcome: .succeeded, counts: RunCounts(observed: observations.count, written: writes.count),
                finished: now.addingTimeInterval(1), observations: observations, writes: writes
            )
            let recorded = clock.now
            // What the observe stage reads back each run: one Kustomization's earlier observations, for each one.
            _ = try await ledger.observations(cluster: "production", namespace: "apps", name: "app-\(run % kustomizations)")
            let read = clock.now
            writeTimes.append(milliseconds(recorded - began))
            readTimes.append(milliseconds(read - recorded))
        }
        let clientCPU = (cpuMilliseconds() - cpuBefore) / Double(max(runs, 1))
        let serverCPU = serverBefore.flatMap { before in serverCPUMilliseconds().map { ($0 - before) / Double(max(runs, 1)) } }
        let before = clock.now
        _ = try await ledger.observations(cluster: "production")
        let fullRead = milliseconds(clock.now - before)
        let stats = try await ledger.stats()
        await ledger.close()
        var bytes = stats.bytes
        if case .sqlite(let path) = url.location {
            // After close the WAL is checkpointed into the file: the file is what the volume holds.
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            bytes = (attributes[.size] as? NSNumber)?.int64Value ?? bytes
        }
        return Result(
            runs: runs, rows: stats.observations, bytes: bytes, writeTimes: writeTimes, readTimes: readTimes, fullRead: fullRead,
            clientCPU: clientCPU, serverCPU: serverCPU, load: loadAverage()
        )
    }

    /// User and system CPU time of this process so far.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return ms(usage.ru_utime) + ms(usage.ru_stime)
    }

    /// CPU time so far of the PostgreSQL server scripts/bench started (its postmaster and every process it forked
    /// that is alive now: the bench's backend, WAL writer, checkpointer; an autovacuum worker that exited is missed).
    /// The machine is shared, so wall times include waiting for a core; CPU time is what the ledger itself costs.
    static func serverCPUMilliseconds() -> Double? {
        guard let data = ProcessInfo.processInfo.environment["BENCH_LEDGER_POSTGRES_DATA"],
            let pidFile = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
            let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int($0) }),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return nil }
        var ticks = 0.0
        for entry in entries {
            guard let pid = Int(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command name: state, ppid, … utime and stime are fields 14 and 15 of the line (12 and 13 here).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, pid == postmaster || Int(fields[1]) == postmaster else { continue }
            ticks += (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        }
        return ticks * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.map(String.init) ?? "unknown"
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

extension LedgerURL {
    var isPostgres: Bool { if case .postgres = location { true } else { false } }
}
