import Crypto
import FluxstampTesting
import Forges
import Foundation
import Testing
import _CryptoExtras

@Suite("GitHub")
struct GitHubTests {
    @Test("reads 250 commits with 3 GraphQL requests and reports their cost")
    func bulkReadThroughGraphQL() async throws {
        try await withForge(.github) { emulator, forge, _ in
            let github = try #require(forge as? GitHubForge)
            for n in 0..<250 where n % 2 == 0 { try await forge.create(succeeded(sha(n))) }
            emulator.core.clearRequests()
            let read = try await forge.statuses(of: (0..<250).map(sha))
            #expect(read.count == 250)
            #expect(read.values.filter { !$0.isEmpty }.count == 125)
            #expect(emulator.core.requests.map(\.path) == Array(repeating: "/api/graphql", count: 3))
            #expect(github.graphQLUsage.snapshot.queries == 3)
            #expect(github.graphQLUsage.snapshot.cost == 3)
            #expect(read[sha(0)]?.first?.creator == "fluxstamp")
        }
    }

    @Test("the REST list is paged with Link headers and keeps the newest status per context")
    func restFallbackPaging() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_SECRETtoken123", clock: clock))
        for n in 0..<150 {
            emulator.seed(
                sha: sha(1), context: n == 149 ? "Kustomization/Apps/0c9c2e41" : "ci/\(n % 60)",
                state: n == 149 ? "failure" : "success", description: "run \(n)", at: clock.now.addingTimeInterval(Double(n)))
        }
        let forge = try GitHubForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .token(SecretValue("ghp_SECRETtoken123")),
            options: .init(writePacing: .unlimited, clock: clock), usesGraphQL: false)
        let read = try await forge.statuses(of: sha(1))
        #expect(read.count == 61)
        #expect(read.first?.forgeKey == "kustomization/apps/0c9c2e41")
        #expect(read.first?.state == .failed)
        #expect(read.first(where: { $0.context == "ci/0" })?.description == "run 120")
        #expect(emulator.core.requests.count == 2)
        // Contexts compare case-insensitively: the failure is the current status of our context.
        let current = try #require(read.first { $0.forgeKey == forge.statusKey(forContext: context) })
        #expect(!ForgeKind.github.shows(CommitStatus(sha: sha(1), context: context, state: .succeeded, description: "x"), current: current))
        #expect(
            ForgeKind.github.shows(CommitStatus(sha: sha(1), context: context, state: .failed, description: "run 149"), current: current))
        await emulator.shutdown()
    }

    @Test("the 1000-statuses-per-context cap is reported for that commit and context, never retried")
    func statusCap() async throws {
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_SECRETtoken123"))
        for _ in 0..<1000 { emulator.seed(sha: sha(1), context: context, state: "pending", description: "waiting") }
        let forge = try GitHubForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .token(SecretValue("ghp_SECRETtoken123")), options: .init(writePacing: .unlimited))
        let results = await forge.writeMissing([succeeded(sha(1)), succeeded(sha(2))])
        let error = try #require(results[0].error)
        #expect(error.kind == .statusLimitReached)
        #expect(error.sha == sha(1))
        #expect(error.context == context)
        #expect(String(describing: error).contains("maximum of 1000 statuses"))
        #expect(results[1].isWritten)
        #expect(emulator.core.requests.filter { $0.method == "POST" && $0.path.hasSuffix(sha(1)) }.count == 1)
        await emulator.shutdown()
    }

    @Test("descriptions longer than 140 code points are cut, so GitHub accepts them and a second run writes nothing")
    func descriptionLimit() async throws {
        try await withForge(.github) { emulator, forge, _ in
            let long = CommitStatus(
                sha: sha(1), context: context, state: .failed, description: String(repeating: "health check failed ", count: 10))
            let first = await forge.writeMissing([long])
            #expect(first[0].isWritten)
            #expect(emulator.stored(sha(1)).first?.description.count == 140)
            #expect(await forge.writeMissing([long])[0].isAlreadyShown)
        }
    }

    @Test("a window spent (remaining 0) holds the next request until the reset time")
    func resetTimeWait() async throws {
        try await withForge(.github, emulator: { .init(rateLimitBudget: 2, rateLimitWindow: 30, rateLimitStatus: 403, clock: $0) }) {
            emulator, forge, _ in
            for n in 1...3 { try await forge.create(succeeded(sha(n))) }
            let log = emulator.core.requests
            // The client saw remaining 0 and waited for the reset: it never drew the 403.
            try #require(log.map(\.status) == [201, 201, 201])
            #expect(log[2].time.timeIntervalSince(log[1].time) >= 30)
        }
    }

    @Test("a 403 with Retry-After (secondary limit) is waited out, not reported")
    func secondaryLimit403() async throws {
        try await withForge(.github, emulator: { .init(rateLimitBudget: 2, rateLimitWindow: 30, rateLimitStatus: 403, clock: $0) }) {
            emulator, forge, clock in
            for n in 1...2 { try await forge.create(succeeded(sha(n))) }
            // A second client (another pod) does not know the window is spent.
            let other = try GitHubForge(
                repository: forge.repository, credential: .token(SecretValue(ForgeFixture.github.token)),
                options: .init(writePacing: .unlimited, clock: clock))
            try await other.create(succeeded(sha(3)))
            let log = emulator.core.requests
            try #require(log.map(\.status) == [201, 201, 403, 201])
            #expect(log[3].time.timeIntervalSince(log[2].time) >= 30)
        }
    }

    @Test("write pacing spaces writes at the configured rate")
    func pacing() async throws {
        let clock = VirtualForgeClock()
        try await withForge(
            .github, emulator: { _ in .init(clock: clock) }, options: .init(writePacing: .perMinute(60, burst: 1), clock: clock)
        ) { emulator, forge, _ in
            for n in 1...4 { try await forge.create(succeeded(sha(n))) }
            let times = emulator.core.requests.map(\.time)
            #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) >= 1 })
        }
    }

    @Test("a GitHub App signs a JWT, finds the installation by owner, and caches the token")
    func gitHubApp() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let emulator = try await GitHubEmulator.start(.init(token: "unused"), appPublicKey: key.publicKey, appInstallations: ["org": 42])
        let app = GitHubAppCredential(appID: "1234", installationOwner: nil, privateKeyPEM: SecretValue(key.pemRepresentation))
        let forge = try GitHubForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .gitHubApp(app), options: .init(writePacing: .unlimited))
        let results = await forge.writeMissing((1...3).map { succeeded(sha($0)) })
        #expect(results.allSatisfy { $0.isWritten })
        let paths = emulator.core.requests.map(\.path)
        #expect(paths.filter { $0 == "/api/v3/orgs/org/installation" }.count == 1)
        #expect(paths.filter { $0 == "/api/v3/app/installations/42/access_tokens" }.count == 1)
        #expect(forge.requests.snapshot.authentication == 2)
        #expect(!String(describing: ForgeCredential.gitHubApp(app)).contains("PRIVATE KEY"))
        await emulator.shutdown()
    }

    @Test("a GitHub App that is not installed gets a message naming the installation keys")
    func gitHubAppNotInstalled() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let emulator = try await GitHubEmulator.start(.init(token: "unused"), appPublicKey: key.publicKey, appInstallations: [:])
        let app = GitHubAppCredential(appID: "1234", privateKeyPEM: SecretValue(key.pemRepresentation))
        let forge = try GitHubForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .gitHubApp(app), options: .init(writePacing: .unlimited))
        let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
        #expect(String(describing: try #require(error)).contains("githubAppInstallationID"))
        await emulator.shutdown()
    }
}
