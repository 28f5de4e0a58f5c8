import FluxstampTesting
import Forges
import Foundation
import Testing

/// A forge that stops answering ends a run's work with it quickly and says so once: a circuit
/// breaker per forge, one retry budget per forge, messages a reader can trust.
@Suite("Outages")
struct OutageTests {
    /// Whether every `(` in `text` is closed, in order.
    static func balanced(_ text: String) -> Bool {
        var depth = 0
        for c in text {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1; if depth < 0 { return false } }
        }
        return depth == 0
    }

    @Test(
        "after one request gives up on 5xx, the forge's other requests fail at once, unsent, with one message", arguments: ForgeFixture.all)
    func breakerOpens(_ fixture: ForgeFixture) async throws {
        let clock = VirtualForgeClock()
        let options = ForgeOptions(writePacing: .unlimited, clock: clock)
        try await withForge(fixture, emulator: { _ in .init(clock: clock) }, options: options) { emulator, forge, _ in
            emulator.core.failNext(status: 503, times: 100)
            let first = try #require(await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) })
            #expect(first.kind == .unavailable)
            #expect(first.wasSent)
            #expect(first.message.hasPrefix("503 Service Unavailable on 5 attempts"))
            #expect(first.message.contains("judged unavailable"))
            #expect(Self.balanced(first.message))
            let sent = emulator.core.requests.count
            #expect(sent == 5)
            var skipped: [ForgeError] = []
            for n in 2...4 {
                do { try await forge.create(succeeded(sha(n))) } catch let error as ForgeError { skipped.append(error) }
            }
            #expect(skipped.count == 3)
            #expect(skipped.allSatisfy { $0.kind == .unavailable && !$0.wasSent })
            #expect(Set(skipped.map(\.description)).count == 1)
            #expect(emulator.core.requests.count == sent)
            let report = try #require(options.health.report(for: forge.repository))
            #expect(report.skippedRequests == 3)
            #expect(report.unavailable?.message == first.message)
            // What a summary prints: one line per distinct problem, with a count.
            let lines = ([first] + skipped).tallied()
            #expect(lines.map(\.count) == [1, 3])
            #expect(lines.map(\.problem.wasSent) == [true, false])
        }
    }

    @Test("a forge that is down says 'connection refused' with balanced parentheses, and gives up within the backoff")
    func connectionRefused() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: ForgeFixture.github.token, clock: clock))
        let repository = try ForgeRepository.parse(emulator.address(), kind: .github)
        await emulator.shutdown()
        let options = ForgeOptions(writePacing: .unlimited, clock: clock)
        let forge = try GitHubForge(repository: repository, credential: .token(SecretValue(ForgeFixture.github.token)), options: options)
        let start = clock.now
        let error = try #require(await #expect(throws: ForgeError.self) { _ = try await forge.statuses(of: [sha(1)]) })
        #expect(error.message.hasPrefix("no answer (connection refused) on 5 attempts"))
        #expect(Self.balanced(error.description))
        #expect(!error.description.contains("errno"))
        // Four backoffs of at most 0.5, 1, 2 and 4 seconds.
        #expect(clock.now.timeIntervalSince(start) <= 7.5)
        let next = try #require(await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) })
        #expect(!next.wasSent)
        #expect(next.message.hasPrefix("not sent: "))
        #expect(Self.balanced(next.description))
    }

    @Test("the retry budget bounds the time spent retrying one forge, across requests")
    func retryBudget() async throws {
        let clock = VirtualForgeClock()
        let options = ForgeOptions(
            writePacing: .unlimited, clock: clock, maxAttempts: 50, initialBackoff: 1, maxBackoff: 4,
            retryBudget: 10, breakerThreshold: 3)
        try await withForge(.gitea, emulator: { _ in .init(clock: clock) }, options: options) { emulator, forge, _ in
            emulator.core.failNext(status: 502, times: 1000)
            let start = clock.now
            var errors: [ForgeError] = []
            for n in 1...3 {
                do { try await forge.create(succeeded(sha(n))) } catch let error as ForgeError { errors.append(error) }
            }
            #expect(errors.count == 3)
            #expect(errors[0].message.contains("retry budget for this forge (10 s a run) is spent"))
            #expect(clock.now.timeIntervalSince(start) <= 10)
            // Three requests gave up (the budget spent, so at once): the third judges the forge unavailable.
            #expect(errors[2].message.contains("judged unavailable"))
            #expect(!errors[0].message.contains("judged unavailable"))
            #expect(options.health.report(for: forge.repository)?.retrySeconds ?? 99 <= 10)
        }
    }

    @Test("a request that gets through resets the count toward the breaker threshold")
    func answeredResets() async throws {
        let clock = VirtualForgeClock()
        let options = ForgeOptions(writePacing: .unlimited, clock: clock, maxAttempts: 2, breakerThreshold: 2)
        try await withForge(.github, emulator: { _ in .init(clock: clock) }, options: options) { emulator, forge, _ in
            emulator.core.failNext(status: 500, times: 2)
            await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
            try await forge.create(succeeded(sha(2)))
            emulator.core.failNext(status: 500, times: 2)
            let error = try #require(await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(3))) })
            #expect(!error.message.contains("judged unavailable"))
            try await forge.create(succeeded(sha(4)))
            #expect(options.health.report(for: forge.repository)?.unavailable == nil)
        }
    }
}
