import FluxstampTesting
import Forges
import Foundation
import Testing

/// What the run's metrics read from `ForgeHealthRegistry.Report`: requests by outcome and the
/// seconds held for rate limits.
@Suite struct RequestOutcomeTests {
    @Test("a secondary limit with Retry-After 5 counts one rate_limited and one 2xx request, and 5 s held")
    func rateLimitedThenCreated() async throws {
        let health = ForgeHealthRegistry()
        let clock = VirtualForgeClock()
        try await withForge(
            .github, emulator: { _ in .init(clock: clock) }, options: ForgeOptions(writePacing: .unlimited, clock: clock, health: health)
        ) {
            emulator, forge, _ in
            emulator.core.secondaryLimitNext(retryAfter: 5)
            try await forge.create(succeeded(sha(1)))
            #expect(emulator.core.requests.map(\.status) == [403, 201])
        }
        let report = try #require(health.reports.first)
        #expect(report.requests == ["rate_limited": 1, "2xx": 1])
        #expect(report.rateLimitWaitSeconds == 5)
    }

    @Test("5xx answers are counted by class before the retry that succeeds")
    func serverErrorsThenCreated() async throws {
        let health = ForgeHealthRegistry()
        let clock = VirtualForgeClock()
        try await withForge(
            .github, emulator: { _ in .init(clock: clock) }, options: ForgeOptions(writePacing: .unlimited, clock: clock, health: health)
        ) {
            emulator, forge, _ in
            emulator.core.failNext(status: 503, times: 2)
            try await forge.create(succeeded(sha(1)))
        }
        let report = try #require(health.reports.first)
        #expect(report.requests["5xx"] == 2)
        #expect(report.requests["2xx"] != nil)
        #expect(report.rateLimitWaitSeconds == 0)
    }
}
