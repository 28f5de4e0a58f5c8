import FluxstampTesting
import Forges
import Foundation
import Testing

/// Behaviour every forge client shows against its emulator.
@Suite("Every forge")
struct SharedBehaviourTests {
    @Test("creates a status and reads it back with the neutral state", arguments: ForgeFixture.all)
    func createAndRead(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            try await forge.create(succeeded(sha(1)))
            try await forge.create(CommitStatus(sha: sha(2), context: context, state: .failed, description: "health check failed"))
            // With the contexts wanted: Bitbucket DC reads by key; the others list and ignore them.
            let read = try await forge.statuses(of: [sha(1), sha(2), sha(3)], contexts: [context])
            #expect(read[sha(1)]?.map(\.state) == [.succeeded])
            #expect(read[sha(1)]?.first?.description == "reconciliation succeeded")
            #expect(read[sha(1)]?.first?.forgeKey == forge.statusKey(forContext: context))
            #expect(read[sha(2)]?.map(\.state) == [.failed])
            #expect(read[sha(3)] == [])
            #expect(emulator.stored(sha(1)).count == 1)
        }
    }

    @Test("writes only what is missing, and a second identical pass sends no write", arguments: ForgeFixture.all)
    func idempotence(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            let desired = (1...5).map { succeeded(sha($0)) }
            let first = await forge.writeMissing(desired)
            #expect(first.allSatisfy { $0.isWritten })
            emulator.core.clearRequests()
            let second = await forge.writeMissing(desired)
            #expect(second.allSatisfy { $0.isAlreadyShown })
            #expect(emulator.core.requests.filter { $0.method == "POST" && $0.path != "/api/graphql" }.isEmpty)
            // A changed fact is written again.
            let changed = await forge.writeMissing([
                CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed")
            ])
            #expect(changed.first?.isWritten == true)
        }
    }

    @Test(
        "reads every page of a commit with many statuses",
        arguments: ForgeFixture.all.filter { $0.kind != .github && $0.kind != .bitbucketserver })
    func pagination(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            for n in 0..<130 { try await forge.create(succeeded(sha(7), context: "kustomization/app\(n)/0c9c2e41")) }
            emulator.core.clearRequests()
            let read = try await forge.statuses(of: sha(7))
            #expect(read.count == 130)
            #expect(Set(read.compactMap(\.forgeKey)).count == 130)
            #expect(emulator.core.requests.filter { $0.method == "GET" }.count >= 2)
        }
    }

    @Test("retries 5xx answers and then succeeds", arguments: ForgeFixture.all)
    func serverErrorsRetried(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.failNext(status: 502, times: 2)
            try await forge.create(succeeded(sha(1)))
            #expect(emulator.core.requests.map(\.status).prefix(2) == [502, 502])
            #expect(emulator.stored(sha(1)).count == 1)
            #expect(forge.requests.snapshot.retries == 2)
        }
    }

    @Test("gives up after the configured attempts when 5xx persist", arguments: [ForgeFixture.github, .gitlab])
    func serverErrorsExhausted(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.failNext(status: 503, times: 10)
            let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
            #expect(error?.kind == .unavailable)
            #expect(emulator.core.requests.count == ForgeOptions().maxAttempts)
        }
    }

    @Test("does not retry other 4xx", arguments: ForgeFixture.all)
    func otherClientErrorsNotRetried(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.failNext(status: 403)
            let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
            #expect(error?.kind == .forbidden)
            #expect(emulator.core.requests.count == 1)
        }
    }

    @Test("holds requests until the window resets, and sends nothing before Retry-After", arguments: ForgeFixture.all)
    func rateLimitHonoured(_ fixture: ForgeFixture) async throws {
        // GitHub's GraphQL reads draw on their own budget (`graphql`), so its `core` budget counts
        // the two writes; the others read with one list per commit and write twice.
        let budget = fixture.kind == .github ? 2 : 4
        try await withForge(fixture, emulator: { .init(rateLimitBudget: budget, rateLimitWindow: 60, clock: $0) }) {
            emulator, forge, clock in
            // This client spends the window; the headers tell it so. (GitHub's primary limit
            // answers without Retry-After: remaining 0 and the reset time say how long.)
            let first = await forge.writeMissing([succeeded(sha(1)), succeeded(sha(2))], concurrency: 1)
            #expect(first.allSatisfy { $0.isWritten })
            // Another client (another pod) does not know, draws a 429, and waits its Retry-After.
            let other = try ForgeClient.make(
                for: forge.repository, credential: .token(SecretValue(fixture.token)),
                options: .init(writePacing: .unlimited, clock: clock, concurrency: 1))
            let second = await other.writeMissing([succeeded(sha(3)), succeeded(sha(4))], concurrency: 1)
            #expect(second.allSatisfy { $0.isWritten })
            let log = emulator.core.requests.filter { $0.path != "/api/graphql" }
            let reset = log[0].time.addingTimeInterval(60)
            try #require(log.count > budget)
            // Bitbucket DC answers a read by key with 404 when the commit has no such status yet.
            let answered: (RecordedRequest) -> Bool = {
                $0.status < 300 || (fixture.kind == .bitbucketserver && $0.method == "GET" && $0.status == 404)
            }
            #expect(log.prefix(budget).allSatisfy { answered($0) && $0.time < reset })
            #expect(log[budget].status == 429)
            // Nothing after the refusal arrives before the window resets, and nothing else is refused.
            #expect(log[(budget + 1)...].allSatisfy { $0.time >= reset && answered($0) })
        }
    }

    @Test("a client that sees its window spent waits for the reset without drawing a 429", arguments: [ForgeFixture.gitlab, .azure])
    func resetHeadersHonoured(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture, emulator: { .init(rateLimitBudget: 2, rateLimitWindow: 60, clock: $0) }) { emulator, forge, _ in
            for n in 1...3 { try await forge.create(succeeded(sha(n))) }
            let log = emulator.core.requests
            try #require(log.map(\.status).allSatisfy { $0 < 300 })
            #expect(log[2].time.timeIntervalSince(log[0].time) >= 60)
        }
    }

    @Test("401 names the repository and the secret key to fix, without the token", arguments: ForgeFixture.all)
    func unauthorized(_ fixture: ForgeFixture) async throws {
        let wrong = fixture.kind == .bitbucket ? "fluxbot:WRONGsecret999" : "WRONGsecret999"
        try await withForge(fixture, clientToken: wrong) { emulator, forge, _ in
            let error = await #expect(throws: ForgeError.self) { _ = try await forge.statuses(of: [sha(1)], contexts: [context]) }
            let text = String(describing: try #require(error))
            #expect(error?.kind == .unauthorized)
            #expect(text.hasPrefix(forge.repository.description + ": 401 Unauthorized"))
            #expect(text.contains("`token`"))
            #expect(!text.contains("WRONGsecret999"))
            #expect(emulator.core.requests.count == 1)
        }
    }

    @Test("404 names the repository and says to check the address and access", arguments: ForgeFixture.all)
    func notFound(_ fixture: ForgeFixture) async throws {
        let rename: (String) -> String = { address in
            address.replacingOccurrences(of: "/repo", with: "/missing").replacingOccurrences(of: "/project", with: "/missing")
        }
        try await withForge(fixture, address: rename) { _, forge, _ in
            let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
            #expect(error?.kind == .notFound)
            let text = String(describing: try #require(error))
            #expect(text.contains("missing"))
            #expect(text.contains("check the address"))
        }
    }

    @Test("a token never appears in errors, descriptions or dumps", arguments: ForgeFixture.all)
    func noTokenInOutput(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            emulator.core.failNext(status: 403)
            var outputs: [String] = []
            do { try await forge.create(succeeded(sha(1))) } catch { outputs += [String(describing: error), String(reflecting: error)] }
            let credential = ForgeCredential.token(SecretValue(fixture.token))
            var dumped = ""
            dump(credential, to: &dumped)
            dump(forge, to: &dumped)
            outputs += [String(describing: credential), String(reflecting: credential), dumped, String(describing: forge)]
            let secretParts = [fixture.token] + fixture.token.split(separator: ":").dropFirst().map(String.init)
            for output in outputs {
                for part in secretParts { #expect(!output.contains(part), "leaked in: \(output.prefix(200))") }
            }
        }
    }
}
