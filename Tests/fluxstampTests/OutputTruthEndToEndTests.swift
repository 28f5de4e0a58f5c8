import FluxstampTesting
import Foundation
import Testing

/// Output that tells the truth (issue 10, item 9), through the built binary as a new user runs it:
/// each test is one bullet of the issue, asserted on what the user reads.
@Suite(.serialized) struct OutputTruthEndToEndTests {
    static let claim = "nothing to write: the forge already shows what Flux deployed"

    /// The summary's named figures: `considered N = planned a + unchanged b + skipped c`.
    static func figures(_ stderr: String) -> [String: Int] {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("kustomizations ") }) else { return [:] }
        var figures: [String: Int] = [:]
        for match in line.matches(of: /([a-z]+) ([0-9]+)/) { figures[String(match.1)] = Int(match.2) }
        return figures
    }

    @Test("a refused credential (401) names the Secret and key it came from, never the token; plan claims nothing")
    func unauthorizedNamesTheSecret() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        try await world.kube.store.load(
            yaml: """
                apiVersion: v1
                kind: Secret
                metadata: {name: github-token, namespace: flux-system}
                type: Opaque
                data: {token: \(Data("ghp_REVOKEDtoken42".utf8).base64EncodedString())}
                """)
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 1, "\(sync.stderr)")
        let line = try #require(sync.stderr.split(separator: "\n").first { $0.contains("401") }, "\(sync.stderr)")
        #expect(line.contains("Secret flux-system/github-token, key `token`"), "\(line)")
        #expect(!sync.stderr.contains("REVOKED"), "the token never appears")
        #expect(world.writes == 0)
        let plan = try await world.fluxstamp(["plan"])
        #expect(!plan.stdout.contains(Self.claim), "\(plan.stdout)")
        #expect(!plan.stdout.contains("REVOKED") && !plan.stderr.contains("REVOKED"))
    }

    @Test("'nothing to write: the forge already shows…' only when every planned status was checked and matched")
    func nothingToWriteOnlyWhenTrue() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        // Writes held back by --max-writes 0: not "already shows".
        let budget = try await world.fluxstamp(["plan", "--max-writes", "0"])
        #expect(budget.status == 0, "\(budget.stderr)")
        #expect(!budget.stdout.contains(Self.claim), "\(budget.stdout)")
        #expect(budget.stdout.contains("5 more writes are over --max-writes"), "\(budget.stdout)")
        // An unreadable --repo: a problem of its own kind, and no claim.
        let unreadable = try await world.fluxstamp(["plan", "--repo", "https://github.com/acme/fleet=/nonexistent/fleet"])
        #expect(unreadable.status == 1, "\(unreadable.stderr)")
        #expect(!unreadable.stdout.contains(Self.claim), "\(unreadable.stdout)")
        #expect(!unreadable.stdout.contains("unsupported source") && !unreadable.stderr.contains("unsupported source"))
        #expect(unreadable.stderr.contains("/nonexistent/fleet"), "\(unreadable.stderr)")
        // After a sync, every status was checked and matched: now the claim is true.
        _ = try await world.fluxstamp(["sync"])
        let converged = try await world.fluxstamp(["plan"])
        #expect(converged.stdout.contains(Self.claim), "\(converged.stdout)")
    }

    @Test("--name nosuch or a selector matching nothing says so (exit 0); a malformed selector is a usage error")
    func nothingMatched() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        for arguments in [["--name", "nosuch"], ["--selector", "tier=none"]] {
            let run = try await world.fluxstamp(["sync"] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("no Kustomization matched"), "\(arguments): \(run.stderr)")
        }
        let malformed = try await world.fluxstamp(["sync", "--selector", "a=b,=c"])
        #expect(malformed.status == 2, "\(malformed.stderr)")
        #expect(world.writes == 0)
    }

    @Test("the summary's numbers add up, each named; written + failed = planned")
    func summaryAddsUp() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let sync = try await world.fluxstamp(["sync", "--max-writes", "3"])
        let f = Self.figures(sync.stderr)
        let line = sync.stderr.split(separator: "\n").last { $0.hasPrefix("kustomizations ") }.map(String.init) ?? sync.stderr
        #expect(f["considered"] == (f["planned"] ?? -1) + (f["unchanged"] ?? -1) + (f["skipped"] ?? -1), "\(line)")
        #expect(f["planned"] == 3 && f["budget"] == 2, "\(line)")
        #expect(f["written"] == 3 && f["failed"] == 0, "\(line)")
        #expect(world.writes == 3)
        #expect(line.contains("observations "), "the observations are named as what they are, not a part of the sum: \(line)")
    }

    @Test("plan --since never lists a commit it plans to write as older than --since")
    func sinceDoesNotContradict() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let plan = try await world.fluxstamp(["plan", "--json", "--since", "72h"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let written = Set((document["writes"] as? [[String: Any]] ?? []).compactMap { $0["sha"] as? String })
        let old = (document["skips"] as? [[String: Any]] ?? []).filter { $0["detail"] as? String == "older than --since" }
        let oldShas = Set(old.compactMap { ($0["revision"] as? String)?.split(separator: ":").last.map(String.init) })
        #expect(written.isDisjoint(with: oldShas), "planned and too old: \(written.intersection(oldShas))")
    }

    @Test(
        "usage errors say what is wrong: exit 2, nothing written",
        arguments: [
            (["sync", "--max-writes", "-3"], "must be 0 or more"),
            (["sync", "--json"], "--json prints a plan"),
            (["sync", "--retry-budget", "-1"], "--retry-budget must be 0 or more"),
        ])
    func usage(arguments: [String], fragment: String) async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let run = try await world.fluxstamp(arguments)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains(fragment), "\(run.stderr)")
        #expect(world.writes == 0)
    }

    @Test("a Provider Secret that cannot be read (403) is named as the reason, not 'no Flux Provider'")
    func providerSecretForbidden() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        world.kube.controls.deny(.init(verb: "get", resource: "secrets"))
        let plan = try await world.fluxstamp(["plan"])
        #expect(plan.status == 1, "\(plan.stderr)")
        #expect(!plan.stdout.contains("no Flux Provider reports"), "\(plan.stdout)")
        #expect((plan.stdout + plan.stderr).contains("flux-system/github-token"), "\(plan.stdout)\n\(plan.stderr)")
        #expect(!plan.stdout.contains(Self.claim))
    }

    @Test("a persistent 503 from the API server says what was being requested, on one line")
    func apiServerUnavailable() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        world.kube.controls.inject(Array(repeating: .init(status: 503), count: 200))
        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 1, "\(sync.stderr)")
        let line = try #require(sync.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }, "\(sync.stderr)")
        #expect(line.contains("503"), "\(line)")
        // What it was doing when it gave up (here: the first request, discovering the Kustomization API).
        #expect(line.contains(" while ") && line.contains("kustomize.toolkit.fluxcd.io"), "\(sync.stderr)")
        #expect(sync.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }.count == 1, "\(sync.stderr)")
        #expect(world.writes == 0)
    }
}
