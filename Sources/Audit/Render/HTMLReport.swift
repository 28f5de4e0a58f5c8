import Foundation

/// `--format html`: one self-contained page (no network, scripts or fonts), written as
/// well-formed XHTML so that an XML parser reads it: the DORA summary, the commits × clusters
/// matrix, and per Kustomization an inline SVG timeline (deployments as green marks, failures in
/// red with their restore span, lead-time bars from each carried commit to its deployment).
public enum HTMLReport {
    /// The page.
    public static func render(_ report: AuditReport) -> String {
        var out = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>fluxstamp audit \(escape(day(report.since))) to \(escape(day(report.until)))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>Deployments \(escape(day(report.since))) → \(escape(day(report.until)))</h1>
            <p class="muted">Generated \(escape(RFC3339Time.format(report.generatedAt))) by fluxstamp audit.</p>

            """
        out += "<h2>DORA, all clusters</h2>\n" + cards(report.dora)
        let view = Timeline.view(report)
        out +=
            "<p class=\"muted\">Timelines show \(escape(MarkdownReport.minute(view.start))) to \(escape(MarkdownReport.minute(view.end))): "
        out += "green deployments, red failures (shaded until restored), blue lead-time bars from commit to deployment.</p>\n"
        for cluster in report.clusters {
            out += "<section class=\"cluster\">\n<h2>Cluster \(escape(cluster.name))</h2>\n" + cards(cluster.dora)
            for k in cluster.kustomizations { out += kustomization(k, report: report, view: view) }
            out += "</section>\n"
        }
        if !report.matrix.isEmpty { out += matrix(report) }
        out += "</body>\n</html>\n"
        return out
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#1f2328;padding:0 16px}
        h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        h3{font-size:15px;margin:20px 0 4px}.muted{color:#656d76}code{font:12px ui-monospace,monospace}
        .cards{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0}
        .card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:150px}
        .card b{display:block;font-size:18px}.card span{color:#656d76;font-size:12px}
        table{border-collapse:collapse;margin:6px 0;font-size:13px}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
        th{background:#f6f8fa}.ok{color:#1a7f37}.bad{color:#cf222e}.wait{color:#9a6700}
        svg.timeline{display:block;border:1px solid #d0d7de;border-radius:6px;background:#fff;margin:6px 0}
        .anomaly{color:#9a6700}
        """

    static func cards(_ d: DORAFigures) -> String {
        func card(_ value: String, _ label: String) -> String {
            "<div class=\"card\"><b>\(escape(value))</b><span>\(escape(label))</span></div>"
        }
        var out = "<div class=\"cards\">"
        out += card(
            String(format: "%.2f", d.deploymentsPerDay), "deployments per day (\(d.deployments) in \(String(format: "%.1f", d.days)) days)")
        out += card(
            d.leadTimeMedianSeconds.map { MarkdownReport.duration(Int($0)) } ?? "—", "lead time, median of \(d.leadTimeSamples)")
        out += card(d.leadTimeP90Seconds.map { MarkdownReport.duration(Int($0)) } ?? "—", "lead time, 90th percentile")
        out += card(
            d.changeFailureRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "—",
            "change failure rate (\(d.failedDeployments) of \(d.deployments + d.failedDeployments))")
        out += card(
            d.timeToRestoreMedianSeconds.map { MarkdownReport.duration(Int($0)) } ?? "—",
            "time to restore, median of \(d.restoreSamples)")
        return out + "</div>\n"
    }

    static func matrix(_ report: AuditReport) -> String {
        let names = report.clusters.map(\.name)
        var out = "<h2>Commits × clusters</h2>\n<table class=\"matrix\"><tr><th>commit</th>"
        out += names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in report.matrix {
            out += "<tr><td><code>\(row.commit.sha.prefix(7))</code> \(escape(row.commit.subject))</td>"
            for name in names {
                switch row.cells[name] ?? .notWatched {
                case .deployed(let at): out += "<td class=\"ok\">\(escape(at.map(MarkdownReport.minute) ?? "deployed"))</td>"
                case .pending: out += "<td class=\"wait\">not yet</td>"
                case .notWatched: out += "<td class=\"muted\">—</td>"
                }
            }
            out += "</tr>\n"
        }
        return out + "</table>\n"
    }

    static func kustomization(_ k: KustomizationReport, report: AuditReport, view: (start: Date, end: Date)) -> String {
        var out = "<section class=\"kustomization\" id=\"\(escape("\(k.cluster)-\(k.namespace)-\(k.name)"))\">\n"
        out += "<h3>\(escape(k.namespace))/\(escape(k.name))</h3>\n<p class=\"muted\">path <code>\(escape(k.path))</code>"
        if let repository = k.repository { out += " of \(escape(repository))" }
        if let branch = k.branch { out += ", branch \(escape(branch))" }
        out += "</p>\n"
        if let live = k.live {
            out += "<p>Live: "
            if let sha = live.sha ?? live.revision { out += "<code>\(escape(String(sha.prefix(7))))</code> " }
            if let commit = live.commit { out += "\(escape(commit.subject)) (\(escape(commit.author))) " }
            let ready = live.ready ?? "unknown"
            out += "<span class=\"\(ready == "True" ? "ok" : "bad")\">Ready \(escape(ready))</span> \(escape(live.reason))</p>\n"
        }
        out += Timeline.svg(k, since: view.start, until: view.end)
        out += cards(k.dora)
        if !k.deployments.isEmpty {
            out += "<table><tr><th>first seen</th><th>outcome</th><th>commit</th><th>carried commits (lead time)</th><th>others</th></tr>\n"
            for d in k.deployments {
                let outcome =
                    d.outcome == .succeeded
                    ? "<span class=\"ok\">succeeded</span>" : "<span class=\"bad\">failed \(escape(d.reason))</span>"
                let carried =
                    d.carriedKnown
                    ? d.commits.map { c in
                        "<code>\(c.sha.prefix(7))</code> \(escape(c.subject))"
                            + (c.leadTimeSeconds.map { " (\(escape(MarkdownReport.duration($0))))" } ?? "")
                    }.joined(separator: "<br/>")
                    : "<span class=\"muted\">unknown</span>"
                out += "<tr><td>\(escape(d.firstSeen.map(MarkdownReport.minute) ?? "unknown"))</td><td>\(outcome)</td>"
                out +=
                    "<td><code>\(escape(String((d.sha ?? d.revision).prefix(7))))</code></td><td>\(carried)</td>"
                    + "<td>\(d.otherCommits)</td></tr>\n"
            }
            out += "</table>\n"
        }
        if !k.pending.isEmpty {
            out += "<p>Not deployed yet:</p><ul>"
            for p in k.pending {
                out +=
                    "<li><code>\(p.sha.prefix(7))</code> \(escape(p.subject)), "
                    + "waiting \(escape(MarkdownReport.duration(p.ageSeconds)))</li>"
            }
            out += "</ul>\n"
        }
        for a in k.anomalies { out += "<p class=\"anomaly\">\(escape(a.kind.rawValue)): \(escape(a.detail))</p>\n" }
        return out + "</section>\n"
    }

    static func day(_ date: Date) -> String { String(RFC3339Time.format(date).prefix(10)) }

    /// Text and attribute values escaped for XML and HTML alike.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where c.value < 0x20 && c != "\n" && c != "\t": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The SVG timeline of one Kustomization over the window.
enum Timeline {
    static let width = 960.0
    static let left = 12.0
    static let right = 12.0

    /// The stretch of time every timeline of the report shows: from the earliest to the latest
    /// mark or bar of any Kustomization (padded, within the window), so that deployments of a few
    /// hours are not squeezed into one pixel of a 30-day window, and all timelines share one scale.
    static func view(_ report: AuditReport) -> (start: Date, end: Date) {
        var times: [Date] = []
        for k in report.clusters.flatMap(\.kustomizations) {
            for d in k.deployments {
                times += [d.firstSeen].compactMap { $0 }
                if d.outcome == .succeeded, d.firstSeen != nil { times += d.commits.map(\.committerTime) }
            }
            times += k.failures.compactMap(\.restoredAt)
        }
        guard let first = times.min(), let last = times.max() else { return (report.since, report.until) }
        let pad = max(last.timeIntervalSince(first) * 0.05, 600)
        let start = max(report.since, first.addingTimeInterval(-pad))
        let end = min(report.until, last.addingTimeInterval(pad))
        return start < end ? (start, end) : (report.since, report.until)
    }

    /// Tick steps, smallest first: the first giving at most ten ticks is used.
    static let steps: [TimeInterval] = [300, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600]

    static func svg(_ k: KustomizationReport, since: Date, until: Date) -> String {
        let span = max(until.timeIntervalSince(since), 1)
        func x(_ date: Date) -> Double {
            let clamped = min(max(date, since), until)
            return (left + (width - left - right) * clamped.timeIntervalSince(since) / span).rounded(toPlaces: 1)
        }
        let successes = k.deployments.filter { $0.outcome == .succeeded && $0.firstSeen != nil }
        let bars = successes.flatMap { d in d.commits.filter { $0.leadTimeSeconds != nil }.map { (d, $0) } }
        let barRows = min(bars.count, 12)
        let markY = 34.0, barTop = 56.0, barStep = 6.0
        let height = barTop + Double(barRows) * barStep + 26
        let label = "\(k.cluster) \(k.namespace)/\(k.name)"
        var out = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        out += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape("timeline of \(label)"))\" "
        out += "data-kustomization=\"\(HTMLReport.escape(label))\">\n"
        out += "<line x1=\"\(left)\" y1=\"\(markY)\" x2=\"\(width - right)\" y2=\"\(markY)\" stroke=\"#d0d7de\" stroke-width=\"2\"/>\n"
        // Ticks on whole steps (UTC), at most about ten; the date is shown where it changes.
        let step = steps.first { span / $0 <= 10 } ?? steps.last!
        var tick = Date(timeIntervalSince1970: (since.timeIntervalSince1970 / step).rounded(.up) * step)
        var lastDay = ""
        while tick <= until {
            let tx = x(tick)
            let text = RFC3339Time.format(tick)
            let day = String(text.dropFirst(5).prefix(5)), clock = String(text.dropFirst(11).prefix(5))
            let caption = step >= 86_400 ? day : (day == lastDay ? clock : "\(day) \(clock)")
            lastDay = day
            out += "<line x1=\"\(tx)\" y1=\"\(markY - 4)\" x2=\"\(tx)\" y2=\"\(height - 16)\" stroke=\"#eaeef2\"/>"
            out += "<text x=\"\(tx)\" y=\"\(height - 4)\" font-size=\"10\" fill=\"#656d76\" text-anchor=\"middle\">"
            out += "\(caption)</text>\n"
            tick = tick.addingTimeInterval(step)
        }
        // Restore spans, then failures and deployments on top.
        for f in k.failures {
            guard let start = f.firstSeen else { continue }
            let end = f.restoredAt ?? until
            let w = max(x(end) - x(start), 2)
            out += "<rect class=\"restore\" x=\"\(x(start))\" y=\"\(markY - 9)\" width=\"\(w.rounded(toPlaces: 1))\" height=\"18\" "
            out += "fill=\"#cf222e\" fill-opacity=\"0.15\"><title>"
            out += HTMLReport.escape(
                f.timeToRestoreSeconds.map { "restored after \(MarkdownReport.duration($0))" } ?? "not restored")
            out += "</title></rect>\n"
        }
        for d in k.deployments {
            guard let time = d.firstSeen else { continue }
            let sha = String((d.sha ?? d.revision).prefix(7))
            let tip =
                "\(sha) \(d.outcome.rawValue) \(MarkdownReport.minute(time))"
                + (d.outcome == .failed ? " \(d.reason)" : " (\(d.commits.count) commits)")
            if d.outcome == .succeeded {
                out += "<circle class=\"deployment\" cx=\"\(x(time))\" cy=\"\(markY)\" r=\"6\" fill=\"#1a7f37\">"
            } else {
                out += "<circle class=\"failure\" cx=\"\(x(time))\" cy=\"\(markY)\" r=\"6\" fill=\"#cf222e\">"
            }
            out += "<title>\(HTMLReport.escape(tip))</title></circle>\n"
        }
        // Lead-time bars: commit time → deployment, newest deployments' commits first.
        for (row, (d, c)) in bars.prefix(barRows).enumerated() {
            let y = barTop + Double(row) * barStep
            let x1 = x(c.committerTime), x2 = x(d.firstSeen!)
            out +=
                "<line class=\"lead\" x1=\"\(x1)\" y1=\"\(y)\" x2=\"\(max(x2, x1 + 1))\" y2=\"\(y)\" stroke=\"#0969da\" stroke-width=\"3\">"
            out +=
                "<title>\(HTMLReport.escape("\(c.sha.prefix(7)) \(c.subject): \(MarkdownReport.duration(c.leadTimeSeconds ?? 0))"))"
                + "</title></line>\n"
        }
        out += "<text x=\"\(left)\" y=\"14\" font-size=\"11\" fill=\"#656d76\">"
        out += HTMLReport.escape(
            "\(k.deployments.filter { $0.outcome == .succeeded }.count) deployments, \(k.failures.count) failures"
                + (bars.count > barRows ? ", lead times of the newest \(barRows) of \(bars.count) commits" : ""))
        out += "</text>\n</svg>\n"
        return out
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10.0, Double(places))
        return (self * scale).rounded() / scale
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
