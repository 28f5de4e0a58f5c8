import Audit
import FluxstampTesting
import Foundation
import GitHistory

/// `audit REPO PATH…`: the audit of a monorepo at scale. 200 Kustomizations (10 per watched path,
/// over the first 20 paths) with 1,000 recorded deployments (5 each, at commits spread over the
/// last 20,000 first-parent commits of HEAD, every 7th a failure, first seen 10 to 120 minutes
/// after the commit). Measured: the git read the audit does (`GitRecords.history`: one
/// first-parent walk for every path, commit details of each deployed commit, reachability), the
/// computation (`Audit.report`) and the JSON rendering; against `git log --first-parent
/// --format=%H BOTTOM..HEAD -- PATH…` over the same commits, run in this process's child.
/// Prints wall and CPU seconds of both, the peak RSS of this process, the counts, the ratio;
/// fails when git lists other commits than the walk found touching, or the RSS is over 300 MB.
enum AuditBench {
    static let rssLimitMB = 300.0

    static func run(_ arguments: [String]) async throws {
        guard let repoPath = arguments.first, arguments.count > 1 else { throw BenchUsage(text: "audit REPO PATH…") }
        let paths = Array(arguments.dropFirst().prefix(20))
        let setup = try Repository.open(at: repoPath)
        var chain: [(sha: String, time: Date)] = []
        try setup.walkFirstParent(from: try setup.resolve("HEAD"), limits: WalkLimits(maxCount: 20_000)) {
            chain.append(($0.id.hex, Date(timeIntervalSince1970: TimeInterval($0.committerTime))))
            return true
        }
        // A fixed linear congruential sequence: the same deployments on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var kustomizations: [KustomizationFacts] = []
        let key = BranchKey(repository: "bench", branch: "main")
        var deploymentCount = 0
        for (p, path) in paths.enumerated() {
            for i in 0..<10 {
                let positions = Set((0..<5).map { _ in next(chain.count) }).sorted(by: >)  // oldest first
                var facts: [DeploymentFact] = []
                for (n, position) in positions.enumerated() {
                    let commit = chain[position]
                    deploymentCount += 1
                    let failed = deploymentCount % 7 == 0
                    let seen = commit.time.addingTimeInterval(TimeInterval(600 + next(6_600)))
                    facts.append(
                        DeploymentFact(
                            revision: "main@sha1:\(commit.sha)", sha: commit.sha, outcome: failed ? .failed : .succeeded,
                            origin: n % 2 == 0 ? .history : .ledger, firstTime: seen, lastTime: seen.addingTimeInterval(3_600)))
                }
                let live = positions.last.map { chain[$0].sha }
                kustomizations.append(
                    KustomizationFacts(
                        namespace: "team-\(p)", name: "app-\(i)", path: path, repository: "bench", branch: "main",
                        live: LiveStatus(revision: live.map { "main@sha1:\($0)" }, sha: live, ready: "True"), facts: facts,
                        history: key))
            }
        }
        let times = kustomizations.flatMap(\.facts).compactMap(\.firstTime)
        let since = times.min()!, until = times.max()!.addingTimeInterval(86_400)
        let deployed = Set(kustomizations.flatMap(\.facts).compactMap(\.sha))

        let cpuStart = cpuSeconds(RUSAGE_SELF.rawValue)
        let start = ContinuousClock.now
        let repository = try Repository.open(at: repoPath)
        let history = try await GitRecords.history(repository, branch: "main", paths: paths, deployed: deployed, since: since)
        let walked = ContinuousClock.now
        let report = Audit.report(
            AuditInput(
                since: since, until: until, now: until, clusters: [ClusterFacts(name: "bench", kustomizations: kustomizations)],
                histories: [key: history]))
        let json = JSONReport.render(report)
        let ours = ContinuousClock.now - start
        let oursCPU = cpuSeconds(RUSAGE_SELF.rawValue) - cpuStart
        let rss = peakRSSMegabytes()

        let touching = history.commits.filter { !$0.touched.isEmpty }.count
        guard let bottom = history.commits.last, let tip = history.tip else { throw BenchFailure(text: "the walk found no commit") }
        let parent = try setup.commit(bottom.sha).firstParent?.hex
        let gitCPUStart = cpuSeconds(RUSAGE_CHILDREN.rawValue)
        let gitStart = ContinuousClock.now
        let range = parent.map { "\($0)..\(tip)" } ?? tip
        let result = try runCommand(
            URL(fileURLWithPath: "/usr/bin/git"), ["-C", repoPath, "log", "--first-parent", "--format=%H", range, "--"] + paths)
        let reference = ContinuousClock.now - gitStart
        let gitCPU = cpuSeconds(RUSAGE_CHILDREN.rawValue) - gitCPUStart
        guard result.status == 0 else { throw BenchFailure(text: "git log: \(result.stderr)") }
        let listed = result.stdout.split(separator: "\n").count
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let deployments = report.clusters.flatMap(\.kustomizations).reduce(0) { $0 + $1.deployments.count }
        let carried = report.clusters.flatMap(\.kustomizations).flatMap(\.deployments).reduce(0) { $0 + $1.commits.count }
        print(
            String(
                format:
                    "kustomizations=%d deployments=%d walked=%d touching=%d git_listed=%d carried=%d json_kb=%d "
                    + "ours_s=%.3f walk_s=%.3f ours_cpu_s=%.3f git_s=%.3f git_cpu_s=%.3f ratio=%.2f cpu_ratio=%.2f rss_mb=%.1f",
                kustomizations.count, deployments, history.commits.count, touching, listed, carried, json.utf8.count / 1024,
                seconds(ours), seconds(walked - start), oursCPU, seconds(reference), gitCPU, seconds(ours) / max(seconds(reference), 0.001),
                oursCPU / max(gitCPU, 0.001), rss))
        if listed != touching { throw BenchFailure(text: "git log lists \(listed) commits, the walk found \(touching) touching") }
        if rss > rssLimitMB { throw BenchFailure(text: "peak RSS \(rss) MB is over \(rssLimitMB) MB") }
    }

    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// This process's peak resident set (Linux reports kilobytes).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
