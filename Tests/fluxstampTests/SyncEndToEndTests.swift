import FluxstampTesting
import Foundation
import Kube
import Ledger
import Logging
import Testing

/// `fluxstamp plan` and `sync` end to end: the built binary, the Kubernetes API emulator over
/// HTTPS, a real git repository, and the GitHub emulator; assertions are on the forge's statuses.
@Suite(.serialized) struct SyncEndToEndTests {
    /// apps: applied c6 (Ready), history c6 ok, c4 ok, c3 health check failed; NC left a ghost
    /// failure on c6 and nothing else. infra: failing at c8 (health check), c0 applied before.
    static func outageWorld() async throws -> SyncWorld {
        let world = try await SyncWorld { c in
            [
                SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                    history: [
                        (c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z"),
                        (c[4], "ReconciliationSucceeded", "2026-11-20T09:00:00Z"),
                        (c[3], "HealthCheckFailed", "2026-11-20T08:00:00Z"),
                    ]),
                SyncWorld.kustomization("infra", path: "./infra", ready: ("False", "HealthCheckFailed"), applied: c[0], attempted: c[7]),
            ].joined(separator: "\n---\n")
        }
        world.github.seed(
            sha: world.commits[6], context: SyncWorld.appsContext, state: "failure",
            description: "health check failed", creator: "flux", at: Date(timeIntervalSince1970: 1_700_000_000))
        return world
    }

    @Test("plan lists the outage gap and the ghost failure; sync writes them; a rerun writes nothing")
    func outageBackfill() async throws {
        let world = try await Self.outageWorld()
        defer { Task { await world.stop() } }
        let c = world.commits

        let plan = try await world.fluxstamp(["plan", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let writes = try #require(document["writes"] as? [[String: Any]])
        let reasons = Dictionary(uniqueKeysWithValues: writes.map { ("\($0["sha"]!) \($0["context"]!)", $0["reason"] as! String) })
        #expect(reasons["\(c[6]) \(SyncWorld.appsContext)"] == "ghost failure")
        #expect(reasons["\(c[4]) \(SyncWorld.appsContext)"] == "missing")
        #expect(reasons["\(c[3]) \(SyncWorld.appsContext)"] == "missing")
        #expect(reasons["\(c[7]) \(SyncWorld.infraContext)"] == "missing")
        #expect(reasons["\(c[0]) \(SyncWorld.infraContext)"] == "missing")
        #expect(writes.count == 5)
        #expect(world.writes == 0, "plan never writes")

        let sync = try await world.fluxstamp(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("written 5"))
        #expect(world.statuses(c[6])[SyncWorld.appsContext]?.state == "success")
        #expect(world.statuses(c[6])[SyncWorld.appsContext]?.description == "reconciliation succeeded")
        #expect(world.statuses(c[4])[SyncWorld.appsContext]?.state == "success")
        #expect(world.statuses(c[3])[SyncWorld.appsContext]?.state == "failure")
        #expect(world.statuses(c[3])[SyncWorld.appsContext]?.description == "health check failed")
        #expect(world.statuses(c[7])[SyncWorld.infraContext]?.state == "failure")
        #expect(world.statuses(c[0])[SyncWorld.infraContext]?.state == "success")
        #expect(world.statuses(c[5]).isEmpty, "commits between applied revisions get nothing with --intermediate none")
        #expect(!sync.stderr.contains("e2e-forge-token") && !plan.stdout.contains("e2e-forge-token"))

        let again = try await world.fluxstamp(["sync"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("planned 0"))
        #expect(world.writes == 5)
    }

    @Test("--intermediate deployed fills commits between applied revisions that touch the path")
    func intermediates() async throws {
        let world = try await Self.outageWorld()
        defer { Task { await world.stop() } }
        let c = world.commits
        let sync = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.statuses(c[5])[SyncWorld.appsContext]?.description == "deployed with \(c[6].prefix(7))")
        // c1, c2 lie before the oldest applied apps revision (c3 failed, c4 applied): nothing.
        #expect(world.statuses(c[2]).isEmpty)
        // infra's applied revisions c0 → (failed c7): no applied pair, no intermediates for infra.
        #expect(world.statuses(c[1])[SyncWorld.infraContext] == nil)
    }

    @Test("--max-writes budgets a backfill newest first; reruns converge with each status once")
    func budget() async throws {
        let world = try await Self.outageWorld()
        defer { Task { await world.stop() } }
        let first = try await world.fluxstamp(["sync", "--max-writes", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(world.writes == 2)
        _ = try await world.fluxstamp(["sync", "--max-writes", "2"])
        _ = try await world.fluxstamp(["sync", "--max-writes", "2"])
        #expect(world.writes == 5)
        for sha in world.commits {
            for (context, status) in world.statuses(sha) where context != SyncWorld.appsContext || sha != world.commits[6] {
                #expect(status.count == 1, "\(sha.prefix(7)) \(context)")
            }
        }
    }

    @Test("a sync stopped by SIGTERM mid-backfill says how far it got and exits 143; the rerun leaves every status exactly once")
    func killAndRerun() async throws {
        let world = try await SyncWorld(appsCommits: 120, latency: 0.02) { c in
            SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[120],
                attempted: c[120], history: [(c[1], "ReconciliationSucceeded", "2026-11-19T10:00:00Z")])
        }
        defer { Task { await world.stop() } }
        let binary = try #require(BuiltProduct.url())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["sync", "--intermediate", "deployed", "--kubeconfig", world.kubeconfig.path, "--config", world.config.path]
        process.environment = ["HOME": "/nonexistent"]
        process.standardOutput = FileHandle.nullDevice
        let stderrFile = world.directory.appendingPathComponent("sigterm.stderr")
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.runSerialized()
        // Watch from a Dispatch thread (the cooperative pool also runs the emulators) until the
        // backfill is under way, then kill it; the wait is generous because CI machines are shared.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async {
                var waited = 0
                while world.writes < 30, process.isRunning, waited < 60_000 {
                    usleep(1000)
                    waited += 1
                }
                process.terminate()
                process.waitUntilExit()
                continuation.resume()
            }
        }
        let interrupted = world.writes
        #expect(interrupted >= 30 && interrupted < 120, "killed after \(interrupted) writes")
        // Kubernetes sends SIGTERM at activeDeadlineSeconds: the run ends with a line saying how far it got.
        let stderr = try String(contentsOf: stderrFile, encoding: .utf8)
        #expect(process.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("interrupted by SIGTERM: ") && stderr.contains(" of 120 planned writes done"), "\(stderr)")

        let rerun = try await world.fluxstamp(["sync", "--intermediate", "deployed"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        for sha in world.commits[1...120] {
            #expect(world.statuses(sha)[SyncWorld.appsContext]?.count == 1, "\(sha.prefix(7))")
        }
        #expect(world.writes == 120)
    }

    @Test("sync --ledger sqlite: twice records two finished runs, the statuses written once, and no duplicate observation rows")
    func ledgerRecordsRuns() async throws {
        let world = try await SyncWorld { c in
            SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6],
                attempted: c[6], history: [(c[3], "ReconciliationSucceeded", "2026-11-19T10:00:00Z")])
        }
        defer { Task { await world.stop() } }
        let url = "sqlite:" + world.directory.appendingPathComponent("ledger.db").path
        let first = try await world.fluxstamp(["sync", "--ledger", url])
        #expect(first.status == 0, "\(first.stderr)")
        let ledger = try await Ledger.open(LedgerURL(url), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let once = try await ledger.stats()
        await ledger.close()
        #expect(once.runs == 1)
        #expect(once.writtenStatuses == world.writes)
        #expect(once.observations > 0)

        let second = try await world.fluxstamp(["sync", "--ledger", url])
        #expect(second.status == 0, "\(second.stderr)")
        let again = try await Ledger.open(LedgerURL(url), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let twice = try await again.stats()
        let runs = try await again.runs()
        await again.close()
        #expect(twice.runs == 2)
        #expect(twice.observations == once.observations)
        #expect(twice.writtenStatuses == once.writtenStatuses)
        #expect(runs.allSatisfy { $0.finished != nil && $0.outcome == .succeeded })
    }

    @Test(
        "a ledger URL that cannot be used: one line, exit 2, nothing written",
        arguments: [
            ("ftp://ledger", "unknown scheme"), ("sqlite:", "the SQLite path is empty"),
        ])
    func badLedger(url: String, fragment: String) async throws {
        let world = try await Self.outageWorld()
        defer { Task { await world.stop() } }
        let result = try await world.fluxstamp(["sync", "--ledger", url])
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(world.writes == 0)
    }

    @Test(
        "bad configuration: one clear line, exit 2, nothing written",
        arguments: [
            ("unknownKey: 1\n", "unknown key 'unknownKey'"),
            ("intermediate: sometimes\n", "intermediate 'sometimes'"),
            ("since: last week\n", "since 'last week'"),
            ("maxWrites: lots\n", "maxWrites must be a whole number"),
            ("selector: 'a=b,=c'\n", "label selector \"a=b,=c\" is malformed"),
            ("forges:\n  - host: git.example.com\n    kind: gitlab\n", "unknown key 'forges[0].kind'"),
        ])
    func badConfig(text: String, fragment: String) async throws {
        let world = try await Self.outageWorld()
        defer { Task { await world.stop() } }
        try text.write(to: world.config, atomically: true, encoding: .utf8)
        let result = try await world.fluxstamp(["sync"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.contains(world.config.path))
        #expect(world.writes == 0)
    }
}
