import FluxstampTesting
import Foundation

/// `sync [FLUXSTAMP]`: the backfill after an outage at scale. Starts the sandbox at benchmark
/// scale (200 Kustomizations over 20 repositories, about 5,000 statuses to backfill with
/// `--intermediate deployed`) and runs the real `fluxstamp sync` binary against it twice.
/// Prints requests per status written (target ≤ 1.02), writes on the immediate rerun (must be 0),
/// wall time and the child's peak RSS; exits non-zero when a target is missed.
enum SyncBench {
    static func run(_ arguments: [String]) async throws {
        guard let binaryPath = arguments.first else { throw BenchUsage(text: "sync FLUXSTAMP_BINARY") }
        let binary = URL(fileURLWithPath: binaryPath)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fluxstamp-bench-sync-\(UUID().uuidString.prefix(8))")
        let setupStart = Date()
        let sandbox = try await Sandbox.start(directory: directory, scale: .benchmark)
        print(
            "sync: sandbox with \(Sandbox.Scale.benchmark.kustomizations) Kustomizations over "
                + "\(Sandbox.Scale.benchmark.repositories) repositories ready in \(seconds(since: setupStart)); "
                + "GitHub emulator at \(sandbox.github.baseURL), write pacing off (production default 80 writes/min)"
        )
        defer {
            Task {
                await sandbox.stop(); try? FileManager.default.removeItem(at: directory)
            }
        }
        let arguments = [
            "sync", "--intermediate", "deployed", "--writes-per-minute", "0", "--kubeconfig", sandbox.kubeconfigURL.path,
            "--config", sandbox.configURL.path,
        ]
        var failed = false
        for run in 1...2 {
            sandbox.github.core.clearRequests()
            let start = Date()
            let result = try await Sandbox.offPool { try runCommand(binary, arguments, environment: ["HOME": "/nonexistent"]) }
            let wall = Date().timeIntervalSince(start)
            let requests = sandbox.github.core.requests
            let writes = requests.filter { $0.method == "POST" && $0.path.contains("/statuses/") }.count
            let reads = requests.count - writes
            let rss = Double(childPeakRSSKilobytes()) / 1024
            let summary = result.stderr.split(separator: "\n").last { $0.contains("observed") }.map(String.init) ?? "(no summary)"
            print(
                "run \(run): exit \(result.status), \(requests.count) forge requests (\(reads) reads, \(writes) "
                    + "writes), wall \(String(format: "%.2f", wall)) s, peak RSS \(String(format: "%.1f", rss)) MB"
            )
            print("run \(run): \(summary)")
            if result.status != 0 { failed = true; print(result.stderr.suffix(2000)) }
            if run == 1 {
                let perStatus = writes == 0 ? .infinity : Double(requests.count) / Double(writes)
                print(
                    "run 1: \(String(format: "%.3f", perStatus)) requests per status written (target <= 1.02), "
                        + "\(writes) statuses written (about \(Sandbox.Scale.benchmark.statusesToBackfill) expected)"
                )
                if perStatus > 1.02 || writes < Sandbox.Scale.benchmark.statusesToBackfill * 9 / 10 { failed = true }
            } else {
                print("run 2 (immediate rerun): \(writes) writes (must be 0)")
                if writes != 0 { failed = true }
            }
        }
        print(failed ? "sync: TARGET MISSED" : "sync: targets met")
        if failed { throw BenchUsage(text: "sync: a target was missed") }
    }

    private static func seconds(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }

    /// Peak resident set of the largest child that has finished (Linux reports kilobytes).
    private static func childPeakRSSKilobytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return usage.ru_maxrss
    }
}
