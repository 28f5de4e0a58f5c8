import FluxstampTesting
import Forges
import Foundation
import Testing

/// Rate limits as GitHub really sends them, and writes whose answer was lost after the forge
/// stored them.
@Suite("Rate limits and lost answers")
struct RateLimitAndLostAnswerTests {
    @Test("a primary limit (403, remaining 0, reset an hour away, no Retry-After) is not waited past 15 minutes")
    func primaryLimitCapped() async throws {
        try await withForge(.github, emulator: { .init(rateLimitBudget: 1, rateLimitWindow: 3600, rateLimitStatus: 403, clock: $0) }) {
            emulator, forge, clock in
            // Another pod spent the window; this client learns it from the 403.
            try await GitHubForge(
                repository: forge.repository, credential: .token(SecretValue(ForgeFixture.github.token)),
                options: .init(writePacing: .unlimited, clock: clock)
            ).create(succeeded(sha(1)))
            let start = clock.now
            let error = try #require(await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(2))) })
            #expect(error.kind == .rateLimited)
            #expect(error.message.contains("15 minutes"))
            #expect(clock.now.timeIntervalSince(start) < 1)
            #expect(emulator.core.requests.map(\.status) == [201, 403])
            // Later requests for the same resource are refused at once, unsent.
            await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(3))) }
            #expect(emulator.core.requests.count == 2)
        }
    }

    @Test("a secondary limit without any header waits at least a minute; with Retry-After, that long", arguments: [nil, 5.0])
    func secondaryLimit(_ retryAfter: Double?) async throws {
        try await withForge(.github) { emulator, forge, _ in
            emulator.core.secondaryLimitNext(retryAfter: retryAfter)
            try await forge.create(succeeded(sha(1)))
            let log = emulator.core.requests
            #expect(log.map(\.status) == [403, 201])
            let waited = log[1].time.timeIntervalSince(log[0].time)
            if let retryAfter { #expect(waited >= retryAfter && waited < 60) } else { #expect(waited >= 60) }
        }
    }

    @Test("GraphQL RATE_LIMITED (HTTP 200) falls back to REST reads, and REST writes go on without waiting")
    func graphQLRateLimited() async throws {
        try await withForge(.github, emulator: { .init(rateLimitWindow: 3600, clock: $0, graphQLRateLimitBudget: 1) }) {
            emulator, forge, clock in
            try await forge.create(succeeded(sha(1)))
            // Another client spends the GraphQL points; ours does not know and draws RATE_LIMITED.
            let other = try GitHubForge(
                repository: forge.repository, credential: .token(SecretValue(ForgeFixture.github.token)),
                options: .init(writePacing: .unlimited, clock: clock))
            _ = try await other.statuses(of: [sha(1)])
            emulator.core.clearRequests()
            let start = clock.now
            let read = try await forge.statuses(of: [sha(1), sha(2)])
            #expect(read[sha(1)]?.map(\.state) == [.succeeded])
            #expect(read[sha(2)] == [])
            let paths = emulator.core.requests.map(\.path)
            #expect(paths.first == "/api/graphql")
            #expect(paths.dropFirst().allSatisfy { $0.hasSuffix("/statuses") })
            try await forge.create(succeeded(sha(2)))
            #expect(clock.now.timeIntervalSince(start) < 60)
            #expect(emulator.stored(sha(2)).count == 1)
        }
    }

    @Test("a write whose answer was lost after the forge stored it is not posted again", arguments: ForgeFixture.all)
    func lostAnswer(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.dropAnswerAfterStoringNext()
            try await forge.create(succeeded(sha(1)))
            #expect(emulator.stored(sha(1)).count == 1)
            let posts = emulator.core.requests.filter { $0.method == "POST" && !$0.path.hasSuffix("graphql") }
            // Forges where a POST appends re-read instead of re-posting; Bitbucket overwrites by
            // key, so a second POST is harmless there.
            if fixture.kind.appendsOnEveryWrite { #expect(posts.count == 1) } else { #expect(posts.count <= 2) }
        }
    }

    @Test(
        "a write whose answer was lost before the forge stored anything is posted again", arguments: [ForgeFixture.github, .gitea, .azure])
    func lostBeforeStoring(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.failNext(status: 502)
            try await forge.create(succeeded(sha(1)))
            #expect(emulator.stored(sha(1)).count == 1)
            #expect(
                emulator.core.requests.filter { $0.method == "POST" && !$0.path.hasSuffix("graphql") }.map(\.status) == [
                    502, fixture.kind == .azuredevops ? 200 : 201,
                ])
        }
    }
}

/// GitHub's 500 writes an hour count per identity: consecutive runs share the window through a
/// small file in the cache directory.
@Suite("Write pacing across runs")
struct PacingAcrossRunsTests {
    @Test("two consecutive runs with a 500/hour budget never exceed it together; writes past it are left for a later run")
    func twoRunsShareTheHour() async throws {
        let clock = VirtualForgeClock()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fluxstamp-pacing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_RUNStoken123", clock: clock))
        let pacing = WritePacing.perMinute(600, burst: 600, perHour: 500)
        var held = 0
        for run in 0..<2 {
            // A new process each run: a new registry, so only the file carries the window over.
            let options = ForgeOptions(
                writePacing: pacing, clock: clock, writePacers: WritePacerRegistry(), pacingDirectory: directory.path)
            let forge = try GitHubForge(
                repository: ForgeRepository.parse(emulator.address(), kind: .github),
                credential: .token(SecretValue("ghp_RUNStoken123")), options: options)
            for n in 0..<300 {
                do { try await forge.create(succeeded(sha(run * 1000 + n))) } catch let error as ForgeError {
                    // The next free slot is an hour away, longer than a run waits: not sent, said once per write.
                    #expect(error.kind == .rateLimited && !error.wasSent)
                    held += 1
                }
            }
            clock.advance(by: 300)  // the next CronJob run, five minutes later
        }
        let times = emulator.core.requests.filter { $0.method == "POST" }.map(\.time).sorted()
        #expect(times.count == 500)
        #expect(held == 100)
        // No sliding hour holds more than 500 writes.
        for (index, time) in times.enumerated() where index + 500 < times.count {
            #expect(times[index + 500].timeIntervalSince(time) >= 3600)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
        await emulator.shutdown()
    }
}
