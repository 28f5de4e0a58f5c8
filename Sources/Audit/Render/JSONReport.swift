import Foundation

/// `--format json`: the versioned schema of docs/audit.md (times RFC 3339 UTC, durations in whole
/// seconds, medians and rates as numbers, unknown values null).
public enum JSONReport {
    /// The report as a JSON document.
    public static func document(_ report: AuditReport) -> AuditJSON {
        .object([
            ("schemaVersion", .int(AuditReport.schemaVersion)),
            ("generatedAt", Optional(report.generatedAt).json),
            ("since", Optional(report.since).json),
            ("until", Optional(report.until).json),
            ("dora", dora(report.dora)),
            ("clusters", .array(report.clusters.map(cluster))),
            ("matrix", .array(report.matrix.map(matrixRow))),
        ])
    }

    /// The report as pretty-printed JSON text, ending with a newline.
    ///
    /// Written one Kustomization at a time, byte for byte what `document(report).serialized()`
    /// gives: the whole tree of a large report (1,000 deployments carrying 200,000 commits) would
    /// hold several times the text's size in memory at once.
    public static func render(_ report: AuditReport) -> String {
        var out = "{"
        // `"key": ` on its own line, `depth` levels in.
        func key(_ name: String, depth: Int, first: Bool = false) {
            out += (first ? "" : ",") + "\n" + String(repeating: "  ", count: depth + 1)
            AuditJSON.string(name).write(to: &out, indent: nil)
            out += ": "
        }
        // An array of `items` whose members sit `depth + 2` levels in, each written by `item`.
        func array<T>(_ items: [T], depth: Int, _ item: (T, inout String) -> Void) {
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, element) in items.enumerated() {
                out += (i == 0 ? "" : ",") + "\n" + String(repeating: "  ", count: depth + 2)
                item(element, &out)
            }
            out += "\n" + String(repeating: "  ", count: depth + 1) + "]"
        }
        key("schemaVersion", depth: 0, first: true)
        out += String(AuditReport.schemaVersion)
        key("generatedAt", depth: 0)
        Optional(report.generatedAt).json.write(to: &out, indent: nil)
        key("since", depth: 0)
        Optional(report.since).json.write(to: &out, indent: nil)
        key("until", depth: 0)
        Optional(report.until).json.write(to: &out, indent: nil)
        key("dora", depth: 0)
        dora(report.dora).write(to: &out, indent: 1)
        key("clusters", depth: 0)
        array(report.clusters, depth: 0) { c, out in
            out += "{\n      \"name\": "
            AuditJSON.string(c.name).write(to: &out, indent: nil)
            out += ",\n      \"dora\": "
            dora(c.dora).write(to: &out, indent: 3)
            out += ",\n      \"kustomizations\": "
            if c.kustomizations.isEmpty {
                out += "[]"
            } else {
                out += "["
                for (i, k) in c.kustomizations.enumerated() {
                    out += (i == 0 ? "" : ",") + "\n        "
                    kustomization(k).write(to: &out, indent: 4)
                }
                out += "\n      ]"
            }
            out += "\n    }"
        }
        key("matrix", depth: 0)
        array(report.matrix, depth: 0) { row, out in matrixRow(row).write(to: &out, indent: 2) }
        out += "\n}\n"
        return out
    }

    static func cluster(_ c: ClusterReport) -> AuditJSON {
        .object([("name", .string(c.name)), ("dora", dora(c.dora)), ("kustomizations", .array(c.kustomizations.map(kustomization)))])
    }

    static func kustomization(_ k: KustomizationReport) -> AuditJSON {
        .object([
            ("namespace", .string(k.namespace)),
            ("name", .string(k.name)),
            ("path", .string(k.path)),
            ("repository", k.repository.json),
            ("branch", k.branch.json),
            ("suspended", .bool(k.suspended)),
            ("live", k.live.map(live) ?? .null),
            ("deployments", .array(k.deployments.map(deployment))),
            ("failures", .array(k.failures.map(failure))),
            ("pending", .array(k.pending.map(pending))),
            ("anomalies", .array(k.anomalies.map(anomaly))),
            ("dora", dora(k.dora)),
        ])
    }

    static func live(_ l: LiveReport) -> AuditJSON {
        .object([
            ("revision", l.revision.json),
            ("sha", l.sha.json),
            ("subject", l.commit.map { .string($0.subject) } ?? .null),
            ("author", l.commit.map { .string($0.author) } ?? .null),
            ("committerTime", l.commit.map(\.committerTime).json),
            ("ready", l.ready.json),
            ("reason", .string(l.reason)),
            ("message", .string(l.message)),
        ])
    }

    static func deployment(_ d: DeploymentReport) -> AuditJSON {
        .object([
            ("revision", .string(d.revision)),
            ("sha", d.sha.json),
            ("outcome", .string(d.outcome.rawValue)),
            ("firstSeen", d.firstSeen.json),
            ("lastSeen", d.lastSeen.json),
            ("origins", .array(d.origins.map { .string($0.rawValue) })),
            ("reason", .string(d.reason)),
            ("message", .string(d.message)),
            ("previousSha", d.previousSha.json),
            ("carriedKnown", .bool(d.carriedKnown)),
            ("changed", .bool(d.changed)),
            ("commits", .array(d.commits.map(commit))),
            ("otherCommits", .int(d.otherCommits)),
        ])
    }

    static func commit(_ c: CarriedCommitReport) -> AuditJSON {
        .object([
            ("sha", .string(c.sha)),
            ("subject", .string(c.subject)),
            ("author", .string(c.author)),
            ("committerTime", Optional(c.committerTime).json),
            ("leadTimeSeconds", c.leadTimeSeconds.json),
        ])
    }

    static func failure(_ f: FailureReport) -> AuditJSON {
        .object([
            ("revision", .string(f.revision)),
            ("sha", f.sha.json),
            ("reason", .string(f.reason)),
            ("message", .string(f.message)),
            ("firstSeen", f.firstSeen.json),
            ("restoredBy", f.restoredBy.json),
            ("restoredAt", f.restoredAt.json),
            ("timeToRestoreSeconds", f.timeToRestoreSeconds.json),
        ])
    }

    static func pending(_ p: PendingCommit) -> AuditJSON {
        .object([
            ("sha", .string(p.sha)),
            ("subject", .string(p.subject)),
            ("author", .string(p.author)),
            ("committerTime", Optional(p.committerTime).json),
            ("ageSeconds", .int(p.ageSeconds)),
        ])
    }

    static func anomaly(_ a: Anomaly) -> AuditJSON {
        .object([("kind", .string(a.kind.rawValue)), ("sha", a.sha.json), ("detail", .string(a.detail))])
    }

    static func dora(_ d: DORAFigures) -> AuditJSON {
        .object([
            ("deployments", .int(d.deployments)),
            ("failedDeployments", .int(d.failedDeployments)),
            ("days", .double(d.days)),
            ("deploymentsPerDay", .double(d.deploymentsPerDay)),
            ("leadTimeSamples", .int(d.leadTimeSamples)),
            ("leadTimeMedianSeconds", d.leadTimeMedianSeconds.json),
            ("leadTimeP90Seconds", d.leadTimeP90Seconds.json),
            ("changeFailureRate", d.changeFailureRate.json),
            ("restoreSamples", .int(d.restoreSamples)),
            ("timeToRestoreMedianSeconds", d.timeToRestoreMedianSeconds.json),
        ])
    }

    static func matrixRow(_ row: MatrixRow) -> AuditJSON {
        .object([
            ("repository", .string(row.repository)),
            ("sha", .string(row.commit.sha)),
            ("subject", .string(row.commit.subject)),
            ("committerTime", Optional(row.commit.committerTime).json),
            (
                "clusters",
                .array(
                    row.cells.sorted { $0.key < $1.key }.map { name, cell in
                        switch cell {
                        case .deployed(let at):
                            .object([("cluster", .string(name)), ("state", .string("deployed")), ("deployedAt", at.json)])
                        case .pending: .object([("cluster", .string(name)), ("state", .string("pending")), ("deployedAt", .null)])
                        case .notWatched: .object([("cluster", .string(name)), ("state", .string("notWatched")), ("deployedAt", .null)])
                        }
                    })
            ),
        ])
    }
}
