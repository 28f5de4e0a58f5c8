import FluxstampTesting
import Forges
import Foundation
import Testing

/// Write budgets count per forge identity (host and credential), not per repository.
@Suite("Write pacing shared per identity")
struct WritePacingTests {
    /// A GitHub emulator serving two repositories, and a client per repository.
    func twoClients(
        _ emulator: GitHubEmulator, tokens: (String, String), pacing: WritePacing, clock: VirtualForgeClock,
        registry: WritePacerRegistry
    ) throws -> [any CommitStatusForge] {
        let options = ForgeOptions(writePacing: pacing, clock: clock, writePacers: registry)
        return try [("org/one", tokens.0), ("org/two", tokens.1)].map { repo, token in
            try ForgeClient.make(
                for: ForgeRepository.parse(emulator.address(repo), kind: .github),
                credential: .token(SecretValue(token)), options: options)
        }
    }

    @Test("two clients for two repositories on one token share one budget")
    func sameTokenShares() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(
            .init(token: "ghp_SHAREDtoken123", clock: clock), repositories: ["org/one", "org/two"])
        let registry = WritePacerRegistry()
        // One write a minute, no burst: per-client buckets would let the two clients alternate and
        // finish in 2 minutes; one shared budget needs 3.
        let clients = try twoClients(
            emulator, tokens: ("ghp_SHAREDtoken123", "ghp_SHAREDtoken123"), pacing: .perMinute(1, burst: 1),
            clock: clock, registry: registry)
        let start = clock.now
        for n in 1...4 { try await clients[n % 2].create(succeeded(sha(n))) }
        let times = emulator.core.requests.map(\.time)
        try #require(emulator.core.requests.map(\.status) == [201, 201, 201, 201])
        #expect(clock.now.timeIntervalSince(start) >= 180)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) >= 60 })
        #expect(registry.count == 1)
        await emulator.shutdown()
    }

    @Test("clients with different tokens do not share a budget")
    func differentTokensDoNotShare() async throws {
        let clock = VirtualForgeClock()
        // The emulator accepts one token; a 401 still passes the pacer, so the budgets are visible.
        let emulator = try await GitHubEmulator.start(
            .init(token: "ghp_FIRSTtoken123", clock: clock), repositories: ["org/one", "org/two"])
        let registry = WritePacerRegistry()
        let clients = try twoClients(
            emulator, tokens: ("ghp_FIRSTtoken123", "ghp_SECONDtoken456"), pacing: .perMinute(60, burst: 1),
            clock: clock, registry: registry)
        let start = clock.now
        try await clients[0].create(succeeded(sha(1)))
        _ = try? await clients[1].create(succeeded(sha(2)))
        #expect(clock.now == start)
        #expect(clock.recordedWaits.isEmpty)
        #expect(emulator.core.requests.count == 2)
        #expect(registry.count == 2)
        await emulator.shutdown()
    }

    @Test("an hourly cap holds writes past the minute rate until the oldest is an hour old")
    func hourlyCap() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_HOURLYtoken123", clock: clock))
        let forge = try ForgeClient.make(
            for: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .token(SecretValue("ghp_HOURLYtoken123")),
            // Waits up to two hours here; the default (15 minutes) refuses the sixth write instead.
            options: .init(
                writePacing: .perMinute(60, burst: 5, perHour: 5), clock: clock, maxRateLimitWait: 7200,
                writePacers: WritePacerRegistry()))
        for n in 1...6 { try await forge.create(succeeded(sha(n))) }
        let times = emulator.core.requests.map(\.time)
        try #require(times.count == 6)
        #expect(times[4].timeIntervalSince(times[0]) < 1)
        #expect(times[5].timeIntervalSince(times[0]) >= 3600)
        await emulator.shutdown()
    }

    @Test("defaults: GitHub 80 a minute, burst 10, 500 an hour; options share the process-wide registry")
    func defaults() {
        #expect(WritePacing.defaultPacing(for: .github) == .perMinute(80, burst: 10, perHour: 500))
        #expect(ForgeOptions().writePacers === WritePacerRegistry.shared)
    }

    @Test("unlimited pacing never waits and keeps no shared pacer")
    func unlimited() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_FASTtoken123", clock: clock))
        let registry = WritePacerRegistry()
        let forge = try ForgeClient.make(
            for: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .token(SecretValue("ghp_FASTtoken123")),
            options: .init(writePacing: .unlimited, clock: clock, writePacers: registry))
        for n in 1...20 { try await forge.create(succeeded(sha(n))) }
        #expect(clock.recordedWaits.isEmpty)
        #expect(registry.count == 0)
        await emulator.shutdown()
    }
}

extension WritePacingTests {
    @Test("the registry keeps no token: a dump shows neither the token nor its parts")
    func registryKeepsNoToken() async throws {
        let registry = WritePacerRegistry()
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_DUMPEDtoken123", clock: clock))
        let forge = try ForgeClient.make(
            for: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .token(SecretValue("ghp_DUMPEDtoken123")),
            options: .init(writePacing: .perMinute(60, burst: 1), clock: clock, writePacers: registry))
        try await forge.create(succeeded(sha(1)))
        var dumped = ""
        dump(registry, to: &dumped)
        dump(ForgeOptions(writePacers: registry), to: &dumped)
        #expect(registry.count == 1)
        #expect(!dumped.contains("DUMPEDtoken"))
        await emulator.shutdown()
    }
}
