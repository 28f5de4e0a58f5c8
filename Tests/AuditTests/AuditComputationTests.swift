import Foundation
import Testing

@testable import Audit

/// The audit of `AuditWorld`: which deployments, carried commits, lead times and DORA figures a
/// reader gets when the cluster's records, the ledger and the forge disagree.
@Suite struct AuditComputationTests {
    let report = Audit.report(AuditWorld.input)
    let c = (0...9).map(AuditWorld.sha)
    func k(_ cluster: String, _ name: String) throws -> KustomizationReport {
        try #require(report.clusters.first { $0.name == cluster }?.kustomizations.first { $0.name == name })
    }

    @Test("one deployment per commit and outcome, with the earliest time any record gives and the latest it was seen")
    func mergedDeployments() throws {
        let apps = try k("prod", "apps")
        #expect(apps.deployments.map(\.sha) == [c[8], c[5], c[3]], "newest first; c1 was before the window")
        #expect(apps.deployments.map(\.outcome) == [.succeeded, .succeeded, .failed])
        #expect(apps.deployments.map(\.firstSeen) == [AuditWorld.at(8.5), AuditWorld.at(5 + 40 / 60), AuditWorld.at(3 + 19 / 60)])
        #expect(apps.deployments.map(\.lastSeen) == [AuditWorld.at(26), AuditWorld.at(8.25), AuditWorld.at(3.5)])
        #expect(
            apps.deployments.map(\.origins) == [[.status, .history, .event], [.history, .ledger, .forge], [.history, .event, .forge]])
        #expect(apps.deployments[2].reason == "HealthCheckFailed", "the forge status has no reason; Flux's record gives it")
        #expect(apps.deployments.map(\.revision) == ["main@sha1:\(c[8])", "main@sha1:\(c[5])", "main@sha1:\(c[3])"])
    }

    @Test("a replaced deployment is not last seen after its successor appeared, though later runs kept seeing it in the history")
    func replacedDeploymentsEndWhenTheNextOneStarts() throws {
        var input = AuditWorld.input
        // Every run until the end of the window saw c5 in status.history and bumped its ledger row;
        // c3's failure and c1 likewise.
        input.clusters[0].kustomizations[1].facts += [
            AuditWorld.fact(5, .succeeded, .ledger, first: 5.75, last: 26),
            AuditWorld.fact(3, .failed, .ledger, first: 3.4, last: 26),
            AuditWorld.fact(1, .succeeded, .ledger, first: 1.5, last: 26),
        ]
        let apps = try #require(Audit.report(input).clusters.first?.kustomizations.first { $0.name == "apps" })
        #expect(apps.name == "apps")
        #expect(
            apps.deployments.map(\.lastSeen) == [AuditWorld.at(26), AuditWorld.at(8.25), AuditWorld.at(3.5)],
            "c8 is live; c5 was last seen live at 08:15 (c8 came at 08:30); c3's failure ended by 03:30")
        #expect(apps.failures.first?.restoredBy == c[5])
    }

    @Test("carried commits: first-parent commits after the previous success up to this one, touching the path")
    func carriedCommits() throws {
        let apps = try k("prod", "apps")
        #expect(apps.deployments.map { $0.commits.map(\.sha) } == [[c[8], c[6]], [c[5], c[3]], [c[3]]])
        #expect(apps.deployments.map(\.otherCommits) == [1, 2, 1])
        #expect(apps.deployments.map(\.previousSha) == [c[5], c[1], c[1]])
        #expect(apps.deployments.map { $0.commits.map(\.leadTimeSeconds) } == [[1800, 9000], [2400, 9600], [nil]])
        #expect(apps.deployments[0].commits.map(\.subject) == ["change 8", "change 6"])
        let infra = try k("prod", "infra")
        #expect(infra.deployments.map(\.sha) == [c[8], c[7], c[2]])
        #expect(infra.deployments.map(\.changed) == [false, true, true], "c8 changed nothing under ./infra")
        #expect(infra.deployments.map { $0.commits.compactMap(\.leadTimeSeconds) } == [[], [600], [1800]])
        #expect(infra.deployments.map(\.otherCommits) == [1, 4, 1])
        let staging = try k("staging", "apps")
        #expect(staging.deployments.map(\.carriedKnown) == [true, true, false], "nothing before c5 is known in staging")
        #expect(staging.deployments.map { $0.commits.compactMap(\.leadTimeSeconds) } == [[1800], [600, 7800], []])
    }

    @Test("a failure is restored by the first success first seen after it")
    func failuresAndRestore() throws {
        let apps = try k("prod", "apps")
        #expect(apps.failures.count == 1)
        let failure = try #require(apps.failures.first)
        #expect(failure.sha == c[3])
        #expect(failure.restoredBy == c[5])
        #expect(failure.restoredAt == AuditWorld.at(5 + 40 / 60))
        #expect(failure.timeToRestoreSeconds == 8460)
    }

    @Test("pending: commits newer than the live one that touch the path, with their age at the end of the window")
    func pending() throws {
        #expect(try k("prod", "apps").pending.map(\.sha) == [c[9]])
        #expect(try k("prod", "apps").pending.map(\.ageSeconds) == [61_200])
        #expect(try k("prod", "infra").pending.isEmpty, "c9 does not touch ./infra")
        #expect(try k("staging", "apps").pending.isEmpty)
    }

    @Test("anomalies: suspended, force-pushed live revision, source without git")
    func anomalies() throws {
        let legacy = try k("staging", "legacy")
        #expect(legacy.anomalies.map(\.kind) == [.suspended, .notOnBranch])
        #expect(legacy.anomalies.last?.sha == AuditWorld.forcePushed)
        #expect(legacy.pending.isEmpty)
        #expect(try k("staging", "buckets").anomalies.map(\.kind) == [.sourceNotGit])
        #expect(try k("prod", "apps").anomalies.isEmpty)
        #expect(try k("prod", "apps").live?.commit?.subject == "change 8")
    }

    struct DORARow: Sendable, CustomTestStringConvertible {
        var scope: String
        var deployments: Int, failed: Int
        var perDay: Double
        var median: Double?, p90: Double?
        var cfr: Double?
        var ttr: Double?
        var testDescription: String { scope }
    }

    static let doraRows: [DORARow] = [
        .init(scope: "prod/apps", deployments: 2, failed: 1, perDay: 2, median: 5700, p90: 9600, cfr: 1.0 / 3, ttr: 8460),
        .init(scope: "prod/infra", deployments: 2, failed: 0, perDay: 2, median: 1200, p90: 1800, cfr: 0, ttr: nil),
        .init(scope: "staging/apps", deployments: 3, failed: 0, perDay: 3, median: 1800, p90: 7800, cfr: 0, ttr: nil),
        .init(scope: "staging/buckets", deployments: 0, failed: 0, perDay: 0, median: nil, p90: nil, cfr: nil, ttr: nil),
        .init(scope: "prod", deployments: 4, failed: 1, perDay: 4, median: 2100, p90: 9600, cfr: 0.2, ttr: 8460),
        .init(scope: "staging", deployments: 4, failed: 0, perDay: 4, median: 1800, p90: 7800, cfr: 0, ttr: nil),
        .init(scope: "all", deployments: 8, failed: 1, perDay: 8, median: 1800, p90: 9600, cfr: 1.0 / 9, ttr: 8460),
    ]

    @Test("the DORA four per Kustomization, per cluster and overall", arguments: doraRows)
    func dora(_ row: DORARow) throws {
        let parts = row.scope.split(separator: "/").map(String.init)
        let figures: DORAFigures
        switch parts.count {
        case 2: figures = try k(parts[0], parts[1]).dora
        case _ where row.scope == "all": figures = report.dora
        default: figures = try #require(report.clusters.first { $0.name == row.scope }).dora
        }
        #expect(figures.deployments == row.deployments)
        #expect(figures.failedDeployments == row.failed)
        #expect(figures.days == 1)
        #expect(figures.deploymentsPerDay == row.perDay)
        #expect(figures.leadTimeMedianSeconds == row.median)
        #expect(figures.leadTimeP90Seconds == row.p90)
        #expect(figures.changeFailureRate == row.cfr)
        #expect(figures.timeToRestoreMedianSeconds == row.ttr)
    }

    @Test("the matrix: each recent commit in each cluster, deployed at, not yet, or not watched")
    func matrix() throws {
        func cell(_ i: Int, _ cluster: String) -> MatrixRow.Cell? {
            report.matrix.first { $0.commit.sha == c[i] }?.cells[cluster]
        }
        #expect(report.matrix.map(\.commit.sha) == [c[9], c[8], c[7], c[6], c[5], c[3], c[2]], "window commits touching watched paths")
        #expect(cell(9, "prod") == .pending)
        #expect(cell(9, "staging") == .deployed(AuditWorld.at(9.5)))
        #expect(cell(8, "prod") == .deployed(AuditWorld.at(8.5)))
        #expect(cell(8, "staging") == .deployed(AuditWorld.at(8 + 10 / 60)))
        #expect(cell(7, "staging") == .notWatched)
        #expect(cell(6, "staging") == .deployed(AuditWorld.at(8 + 10 / 60)))
        #expect(cell(3, "prod") == .deployed(AuditWorld.at(5 + 40 / 60)), "c3 failed alone; c5 carried it")
        #expect(cell(3, "staging") == .deployed(AuditWorld.at(6)), "staging deployed c5 (range unknown), which contains c3")
    }

    @Test("facts after the end of the window are ignored")
    func until() throws {
        var input = AuditWorld.input
        input.until = AuditWorld.at(7)
        let apps = try #require(Audit.report(input).clusters.first?.kustomizations.first { $0.name == "apps" })
        #expect(apps.deployments.map(\.sha) == [c[5], c[3]])
        #expect(apps.pending.map(\.sha) == [c[6]], "at 07:00 the live commit was c5; c8 and c9 did not exist yet")
    }

    struct Percentile: Sendable {
        var values: [Double]
        var median: Double?
        var p90: Double?
    }

    @Test(
        "median (mean of the middle two) and nearest-rank p90",
        arguments: [
            Percentile(values: [], median: nil, p90: nil),
            Percentile(values: [5], median: 5, p90: 5),
            Percentile(values: [3, 1], median: 2, p90: 3),
            Percentile(values: [1, 2, 3], median: 2, p90: 3),
            Percentile(values: [10, 1, 9, 2, 8, 3, 7, 4, 6, 5], median: 5.5, p90: 9),
            Percentile(values: Array(1...11).map(Double.init), median: 6, p90: 10),
        ])
    func percentiles(_ row: Percentile) {
        #expect(DORA.median(row.values) == row.median)
        #expect(DORA.percentile(90, of: row.values) == row.p90)
    }
}
