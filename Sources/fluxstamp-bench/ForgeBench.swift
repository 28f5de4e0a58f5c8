import Crypto
import FluxstampTesting
import Forges
import Foundation

/// Forge benchmark: against the in-process GitHub emulator, read the statuses of 5,000 commits
/// (target: ≤ 50 GraphQL requests) and write the 5,000 missing ones (target: exactly 5,000 write
/// requests), then run again to show an unchanged forge costs reads only; then outages (a forge
/// down, a forge killed mid-run, lost answers) on the real clock.
enum ForgeBench {
    struct TargetMissed: Error, CustomStringConvertible { var description: String }

    static func run(_ arguments: [String]) async throws {
        let commits = arguments.first.flatMap(Int.init) ?? 5_000
        let emulator = try await GitHubEmulator.start(.init(token: "bench-token"), repositories: ["org/repo"])
        defer { Task { await emulator.shutdown() } }
        // Half the commits already carry someone else's status, so reads return real data.
        let shas = (0..<commits).map { i in Insecure.SHA1.hash(data: Data("commit-\(i)".utf8)).map { String(format: "%02x", $0) }.joined() }
        for sha in shas.prefix(commits / 2) {
            emulator.seed(sha: sha, context: "ci/build", state: "success", description: "build passed")
        }
        let repository = try ForgeRepository.parse(emulator.address(), kind: .github)
        let options = ForgeOptions(writePacing: .unlimited, concurrency: 16)
        let forge = try GitHubForge(repository: repository, credential: .token(SecretValue("bench-token")), options: options)
        let desired = shas.map {
            CommitStatus(sha: $0, context: "kustomization/apps/0c9c2e41", state: .succeeded, description: "reconciliation succeeded")
        }
        print(
            "forges: GitHub emulator on \(emulator.baseURL), \(commits) commits, write pacing UNLIMITED (benchmark setting; "
                + "production default 80 writes/min)"
        )

        let start = ContinuousClock.now
        let first = await forge.writeMissing(desired, concurrency: 16)
        let firstTime = ContinuousClock.now - start
        let counts = forge.requests.snapshot
        let graphQL = emulator.core.requests.filter { $0.path == "/api/graphql" }.count
        let writes = emulator.core.requests.filter { $0.method == "POST" && $0.path != "/api/graphql" }.count
        let written = first.filter(\.isWritten).count
        let failed = first.filter { $0.error != nil }.count
        let usage = forge.graphQLUsage.snapshot
        print(
            "run 1: read \(commits) commits with \(graphQL) GraphQL requests (cost \(usage.cost) points), wrote \(written) "
                + "statuses with \(writes) write requests, \(failed) failed"
        )
        print(
            "run 1: \(counts.total) requests in all, \(String(format: "%.3f", Double(counts.total) / Double(max(written, 1)))) "
                + "requests per status written, \(String(format: "%.3f", Double(writes) / Double(max(written, 1)))) write "
                + "requests per status written"
        )
        print(
            "run 1: wall time \(firstTime.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))), "
                + "\(String(format: "%.0f", Double(written) / max(firstTime.seconds, 0.001))) statuses/s"
        )

        emulator.core.clearRequests()
        let again = ContinuousClock.now
        let second = await forge.writeMissing(desired, concurrency: 16)
        let secondTime = ContinuousClock.now - again
        let secondWrites = emulator.core.requests.filter { $0.method == "POST" && $0.path != "/api/graphql" }.count
        let secondReads = emulator.core.requests.filter { $0.path == "/api/graphql" }.count
        let present = second.filter(\.isAlreadyShown).count
        print(
            "run 2 (unchanged forge): \(secondReads) GraphQL requests, \(secondWrites) writes, \(present) statuses already "
                + "there, wall time \(secondTime.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))"
        )

        var missed: [String] = []
        if graphQL > (commits + 99) / 100 { missed.append("read used \(graphQL) GraphQL requests, target ≤ \((commits + 99) / 100)") }
        if writes != commits || written != commits {
            missed.append("wrote \(written) statuses with \(writes) write requests, target exactly \(commits)")
        }
        if secondWrites != 0 { missed.append("second run sent \(secondWrites) writes, target 0") }
        if !missed.isEmpty { throw TargetMissed(description: missed.joined(separator: "; ")) }
        print("targets met: ≤ \((commits + 99) / 100) GraphQL reads, exactly \(commits) writes, 0 writes on an unchanged forge")
        try await outages(shas: Array(shas.prefix(200)))
    }

    /// Outages on the real clock with production retry settings: a forge down from the start, a
    /// forge killed mid-run, and answers lost after the forge stored the write. Prints how long a
    /// run spends before it gives up, how many requests it sends, and the duplicates left.
    static func outages(shas: [String]) async throws {
        @Sendable func status(_ sha: String) -> CommitStatus {
            CommitStatus(sha: sha, context: "kustomization/apps/0c9c2e41", state: .succeeded, description: "reconciliation succeeded")
        }
        func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }

        // 1. Down from the start: one read gives up, every write after it is not sent.
        let down = try await GitHubEmulator.start(.init(token: "bench-token"))
        let repository = try ForgeRepository.parse(down.address(), kind: .github)
        await down.shutdown()
        let options = ForgeOptions(writePacing: .unlimited)
        let forge = try GitHubForge(repository: repository, credential: .token(SecretValue("bench-token")), options: options)
        var start = ContinuousClock.now
        let outcomes = await forge.writeMissing(shas.map(status), concurrency: 8)
        print(
            "outage, forge down from the start: \(shas.count) writes given up in \(format(ContinuousClock.now - start)) after "
                + "\(forge.requests.snapshot.total) requests (production retries: 5 attempts, backoff from 0.5 s)")
        for line in outcomes.compactMap(\.error).tallied() { print("  \(line.count) × \(line.problem)") }

        // 2. Killed mid-run: 50 writes land, then the forge goes away with 150 to go.
        let killed = try await GitHubEmulator.start(.init(token: "bench-token"))
        let midOptions = ForgeOptions(writePacing: .unlimited)
        let mid = try GitHubForge(
            repository: ForgeRepository.parse(killed.address(), kind: .github), credential: .token(SecretValue("bench-token")),
            options: midOptions)
        for sha in shas.prefix(50) { try await mid.create(status(sha)) }
        await killed.shutdown()
        start = ContinuousClock.now
        let rest = await Array(shas.dropFirst(50)).concurrentMap(limit: 8) { sha -> ForgeError? in
            do {
                try await mid.create(status(sha))
                return nil
            } catch {
                return error as? ForgeError
            }
        }
        let errors = rest.compactMap { $0 }
        print(
            "outage, forge killed after 50 writes: the other \(errors.count) failed in \(format(ContinuousClock.now - start)), "
                + "\(errors.filter { !$0.wasSent }.count) of them not sent (circuit breaker open)")
        for line in errors.tallied() { print("  \(line.count) × \(line.problem)") }
        for report in midOptions.health.reports { print("  \(report)") }

        // 3. Lost answers: every 20th write's connection drops after GitHub stored it.
        let lossy = try await GitHubEmulator.start(.init(token: "bench-token"))
        let writer = try GitHubForge(
            repository: ForgeRepository.parse(lossy.address(), kind: .github), credential: .token(SecretValue("bench-token")),
            options: ForgeOptions(writePacing: .unlimited))
        var failed = 0
        for (index, sha) in shas.enumerated() {
            if index % 20 == 0 { lossy.core.dropAnswerAfterStoringNext() }
            do { try await writer.create(status(sha)) } catch { failed += 1 }
        }
        let duplicates = shas.reduce(0) { $0 + max(0, lossy.statuses(of: $1).count - 1) }
        let posts = lossy.core.requests.filter { $0.method == "POST" && $0.path != "/api/graphql" }.count
        print(
            "lost answers: \(shas.count) writes, \((shas.count + 19) / 20) answers dropped after storing: \(posts) POSTs, "
                + "\(duplicates) duplicate statuses, \(failed) failed")
        await lossy.shutdown()
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
