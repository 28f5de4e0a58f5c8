import Foundation

/// `--format md` (the default): readable in a terminal and as a pull-request comment.
public enum MarkdownReport {
    /// The report as Markdown.
    public static func render(_ report: AuditReport) -> String {
        var out = "# Deployments \(day(report.since)) → \(day(report.until))\n\n"
        out += "All clusters: \(summary(report.dora))\n"
        for cluster in report.clusters {
            out += "\n## Cluster \(cluster.name)\n\n\(summary(cluster.dora))\n"
            if cluster.kustomizations.isEmpty { out += "\nNo Kustomization.\n" }
            for k in cluster.kustomizations { out += kustomization(k) }
        }
        if report.clusters.count > 1, !report.matrix.isEmpty {
            out += "\n## Commits × clusters\n\n"
            let names = report.clusters.map(\.name)
            out += "| commit | " + names.map(cell).joined(separator: " | ") + " |\n"
            out += "|---|" + names.map { _ in "---|" }.joined() + "\n"
            for row in report.matrix {
                let cells = names.map { name -> String in
                    switch row.cells[name] ?? .notWatched {
                    case .deployed(let at): return at.map(minute) ?? "deployed"
                    case .pending: return "not yet"
                    case .notWatched: return "—"
                    }
                }
                out += "| `\(row.commit.sha.prefix(7))` \(cell(row.commit.subject)) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    static func kustomization(_ k: KustomizationReport) -> String {
        var out = "\n### \(k.namespace)/\(k.name)\n\n"
        let source = [k.repository, k.branch.map { "branch \($0)" }].compactMap { $0 }.joined(separator: ", ")
        out += "Path `\(k.path)`" + (source.isEmpty ? "" : " of \(source)") + (k.suspended ? " — **suspended**" : "") + "\n\n"
        if let live = k.live {
            var line = "Live: "
            if let sha = live.sha ?? live.revision {
                line += "`\(sha.prefix(7))`"
                if let commit = live.commit {
                    line += " \(commit.subject) (\(commit.author), committed \(minute(commit.committerTime)))"
                }
            } else {
                line += "nothing applied"
            }
            line += ", Ready \(live.ready ?? "unknown")" + (live.reason.isEmpty ? "" : " (\(live.reason))")
            out += line + "\n\n"
        }
        out += "DORA: \(summary(k.dora))\n\n"
        if k.deployments.isEmpty {
            out += "No deployment in the window.\n"
        } else {
            out += "| first seen | last seen | outcome | commit | carried commits (lead time) | others |\n|---|---|---|---|---|---|\n"
            for d in k.deployments {
                let carried =
                    d.carriedKnown
                    ? d.commits.map { c in
                        "`\(c.sha.prefix(7))` \(cell(c.subject))" + (c.leadTimeSeconds.map { " (\(duration($0)))" } ?? "")
                    }.joined(separator: "<br>")
                    : "unknown (no earlier deployment known)"
                out += "| \(d.firstSeen.map(minute) ?? "unknown") | \(d.lastSeen.map(minute) ?? "unknown") | "
                out += (d.outcome == .succeeded ? "succeeded" : "**failed** \(d.reason)")
                out += " | `\((d.sha ?? d.revision).prefix(7))` | \(carried.isEmpty ? "—" : carried) | \(d.otherCommits) |\n"
            }
        }
        if !k.failures.isEmpty {
            out += "\nFailures:\n\n"
            for f in k.failures {
                out += "- `\((f.sha ?? f.revision).prefix(7))` \(f.reason) at \(f.firstSeen.map(minute) ?? "unknown time")"
                if let restored = f.timeToRestoreSeconds, let by = f.restoredBy {
                    out += ": restored by `\(by.prefix(7))` after \(duration(restored))\n"
                } else {
                    out += ": not restored\n"
                }
            }
        }
        if !k.pending.isEmpty {
            out += "\nNot deployed yet:\n\n"
            for p in k.pending { out += "- `\(p.sha.prefix(7))` \(p.subject) (\(p.author)), waiting \(duration(p.ageSeconds))\n" }
        }
        if !k.anomalies.isEmpty {
            out += "\nAnomalies:\n\n"
            for a in k.anomalies { out += "- \(a.kind.rawValue): \(a.detail)\n" }
        }
        return out
    }

    /// The DORA four on one line.
    static func summary(_ d: DORAFigures) -> String {
        var parts = ["**\(rate(d.deploymentsPerDay)) deployments/day** (\(d.deployments) in \(rate(d.days)) days)"]
        if let median = d.leadTimeMedianSeconds {
            parts.append("lead time median \(duration(Int(median))), p90 \(duration(Int(d.leadTimeP90Seconds ?? median)))")
        } else {
            parts.append("lead time unknown")
        }
        if let cfr = d.changeFailureRate {
            parts.append(
                "change failure rate \(Int((cfr * 100).rounded()))% (\(d.failedDeployments) of \(d.deployments + d.failedDeployments))")
        }
        if let ttr = d.timeToRestoreMedianSeconds { parts.append("time to restore median \(duration(Int(ttr)))") }
        return parts.joined(separator: " · ")
    }

    /// `2d 3h`, `4h 5m`, `7m 30s`, `12s`: the two largest units.
    public static func duration(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = abs(seconds)
        let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60)
        if d > 0 { return "\(sign)\(d)d \(h)h" }
        if h > 0 { return "\(sign)\(h)h \(m)m" }
        if m > 0 { return "\(sign)\(m)m \(sec)s" }
        return "\(sign)\(sec)s"
    }

    static func rate(_ value: Double) -> String { String(format: "%.2f", value) }

    static func day(_ date: Date) -> String { String(RFC3339Time.format(date).prefix(10)) }

    /// `2026-11-20 10:00Z`.
    static func minute(_ date: Date) -> String {
        let text = RFC3339Time.format(date)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + "Z"
    }

    /// Text safe inside a table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
