import Crypto
import FluxstampTesting
import Forges
import Foundation

/// Forge benchmark: against the in-process GitHub emulator, read the statuses of 5,000 commits
/// (target: ≤ 50 GraphQL requests) and write the 5,000 missing ones (target: exactly 5,000 write
/// requests), then run again to show an unchanged forge costs reads only.
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
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
