import Foundation

/// `--format csv`: one row per (cluster, Kustomization, deployment, carried commit), RFC 4180
/// (CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled). A
/// deployment whose carried commits are unknown or empty has one row with empty commit columns.
public enum CSVReport {
    /// The header row's fields.
    public static let header = [
        "cluster", "namespace", "name", "path", "revision", "sha", "outcome", "firstSeen", "lastSeen",
        "commitSha", "commitSubject", "commitAuthor", "committerTime", "leadTimeSeconds",
    ]

    /// The rows, header first, as field arrays (what `render` writes).
    public static func rows(_ report: AuditReport) -> [[String]] {
        var rows: [[String]] = []
        forEachRow(report) { rows.append($0) }
        return rows
    }

    /// The report as CSV text, written row by row (a large report is never held as rows too).
    public static func render(_ report: AuditReport) -> String {
        var out = ""
        forEachRow(report) { row in
            for (i, text) in row.enumerated() {
                if i > 0 { out += "," }
                out += field(text)
            }
            out += "\r\n"
        }
        return out
    }

    static func forEachRow(_ report: AuditReport, _ body: ([String]) -> Void) {
        body(header)
        for cluster in report.clusters {
            for k in cluster.kustomizations {
                for d in k.deployments {
                    let head = [
                        cluster.name, k.namespace, k.name, k.path, d.revision, d.sha ?? "", d.outcome.rawValue,
                        d.firstSeen.map(RFC3339Time.format) ?? "", d.lastSeen.map(RFC3339Time.format) ?? "",
                    ]
                    if d.commits.isEmpty { body(head + ["", "", "", "", ""]) }
                    for c in d.commits {
                        body(
                            head + [
                                c.sha, c.subject, c.author, RFC3339Time.format(c.committerTime), c.leadTimeSeconds.map(String.init) ?? "",
                            ])
                    }
                }
            }
        }
    }

    /// One field, quoted when RFC 4180 requires it.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Parses RFC 4180 text back into rows of fields (used by tests and by anyone re-reading a report).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if quoted {
                if c == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars = scalars.dropFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r" where scalars.first == "\n":
                scalars = scalars.dropFirst()
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
