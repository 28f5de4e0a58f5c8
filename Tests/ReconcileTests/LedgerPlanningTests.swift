import FluxstampTesting
import Foundation
import Reconcile
import Synchronization
import Testing

/// Status planning with the ledger's earlier observations (SPEC section 4): they fill the commits
/// the cluster no longer mentions, and never overrule what the cluster still says of a commit.
@Suite struct LedgerPlanningTests {
    static let apps = KustomizationID(namespace: "flux-system", name: "apps")

    func ledgerFact(_ sha: String, _ outcome: Outcome, seen: Date, kustomization: KustomizationID = apps) -> Observation {
        Observation(
            kustomization: kustomization, revision: "main@sha1:\(sha)", outcome: outcome,
            reason: outcome == .succeeded ? "ReconciliationSucceeded" : "HealthCheckFailed", message: "", time: seen,
            origin: .ledger, reportedAt: seen)
    }

    @Test("commits only the ledger remembers get their statuses; the cluster's word on a commit wins; the last sighting decides")
    func ledgerFillsWhatTheClusterForgot() async throws {
        let world = try await PipelineTests.World.start()
        defer { Task { await world.stop() } }
        let c = world.commits, now = Date()
        let asked = Mutex<[Date]>([])
        let facts = [
            ledgerFact(c[0], .succeeded, seen: now.addingTimeInterval(-7200)),  // rotated out of status.history
            ledgerFact(c[1], .failed, seen: now.addingTimeInterval(-60)),  // the cluster's history says c1 succeeded
            ledgerFact(c[2], .failed, seen: now.addingTimeInterval(-5400)),  // failed, then recovered:
            ledgerFact(c[2], .succeeded, seen: now.addingTimeInterval(-3600)),  // the later sighting holds
            ledgerFact(c[3], .failed, seen: now.addingTimeInterval(-1800)),  // failed, never recovered
            ledgerFact(c[5], .succeeded, seen: now, kustomization: KustomizationID(namespace: "flux-system", name: "other")),
        ]
        var pipeline = world.pipeline(intermediate: .none)
        pipeline.settings.earlierObservations = { cluster, since in
            #expect(cluster == "test")
            asked.withLock { $0.append(since) }
            return facts
        }
        let report = try await pipeline.run(dryRun: false, now: now)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(asked.withLock { $0 } == [now.addingTimeInterval(-7 * 86_400)], "without --since, the last 7 days")
        let states = Dictionary(uniqueKeysWithValues: (0...5).map { i in (i, world.github.statuses(of: c[i]).first?.state) })
        #expect(states == [0: "success", 1: "success", 2: "success", 3: "failure", 4: "success", 5: nil], "\(states) \(report.plan.skips)")
        #expect(!report.observations.contains { $0.origin == .ledger }, "what the ledger gave is not recorded in it again")

        let rerun = try await pipeline.run(dryRun: true, now: now)
        #expect(rerun.plan.writes.isEmpty, "converged: \(rerun.plan.writes.map(\.status.sha))")
    }

    @Test("--since bounds what is read from the ledger; a ledger that cannot be read is a note and the cluster alone decides")
    func sinceAndUnreadableLedger() async throws {
        struct Gone: Error, CustomStringConvertible { var description: String { "ledger.db: disk I/O error" } }
        let world = try await PipelineTests.World.start()
        defer { Task { await world.stop() } }
        let since = Date().addingTimeInterval(-3 * 86_400)
        let asked = Mutex<[Date]>([])
        var pipeline = world.pipeline(intermediate: .none)
        pipeline.settings.policy.since = since
        pipeline.settings.earlierObservations = { _, since in
            asked.withLock { $0.append(since) }
            throw Gone()
        }
        let report = try await pipeline.run(dryRun: true)
        #expect(asked.withLock { $0 } == [since])
        #expect(report.problems.map(\.severity) == [.note])
        #expect(report.problems.first?.description.contains("ledger.db: disk I/O error") == true)
        #expect(!report.hasFailures)
        pipeline.settings.earlierObservations = nil
        let alone = try await pipeline.run(dryRun: true)
        #expect(!alone.plan.writes.isEmpty)
        #expect(report.plan.writes.map(\.status.sha) == alone.plan.writes.map(\.status.sha), "the cluster alone decides")
    }
}
