import Foundation
import Testing

@testable import Audit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every format rendered from the same report says the same thing.
@Suite struct AuditFormatTests {
    let report = Audit.report(AuditWorld.input)
    let c = (0...9).map(AuditWorld.sha)

    @Test("JSON: schema version, RFC 3339 times, seconds as integers, unknown values null")
    func json() throws {
        let text = JSONReport.render(report)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["schemaVersion"] as? Int == 1)
        #expect(root["since"] as? String == "2026-11-01T02:00:00Z")
        let clusters = try #require(root["clusters"] as? [[String: Any]])
        let prod = try #require(clusters.first?["kustomizations"] as? [[String: Any]])
        let apps = try #require(prod.first { $0["name"] as? String == "apps" })
        let deployments = try #require(apps["deployments"] as? [[String: Any]])
        #expect(deployments.first?["firstSeen"] as? String == "2026-11-01T08:30:00Z")
        let commits = try #require(deployments.first?["commits"] as? [[String: Any]])
        #expect(commits.map { $0["sha"] as? String } == [c[8], c[6]])
        #expect(commits.map { $0["leadTimeSeconds"] as? Int } == [1800, 9000])
        let failed = try #require(deployments.last?["commits"] as? [[String: Any]])
        #expect(failed.first?["leadTimeSeconds"] is NSNull, "a failed deployment carries no lead time: null, not absent")
        let failures = try #require(apps["failures"] as? [[String: Any]])
        #expect(failures.first?["timeToRestoreSeconds"] as? Int == 8460)
        let pending = try #require(apps["pending"] as? [[String: Any]])
        #expect(pending.first?["ageSeconds"] as? Int == 61_200)
        let dora = try #require(root["dora"] as? [String: Any])
        #expect(dora["deploymentsPerDay"] as? Double == 8)
        #expect(dora["leadTimeMedianSeconds"] as? Double == 1800)
        // Foundation's parser reads the last digit of 0.1111111111111111 differently: compare closely, not exactly.
        #expect(abs((dora["changeFailureRate"] as? Double ?? 0) - 1.0 / 9) < 1e-12)
        #expect(text.contains("\"leadTimeP90Seconds\": 9600,"), "whole numbers print without a fraction")
    }

    @Test("the JSON written one Kustomization at a time is the document, byte for byte")
    func jsonStreaming() {
        #expect(JSONReport.render(report) == JSONReport.document(report).serialized() + "\n")
        var empty = report
        empty.clusters[1].kustomizations = []
        empty.matrix = []
        #expect(JSONReport.render(empty) == JSONReport.document(empty).serialized() + "\n")
    }

    @Test("CSV parses back to the same rows: one per cluster, Kustomization, deployment and carried commit")
    func csvRoundTrip() throws {
        let text = CSVReport.render(report)
        #expect(text.hasSuffix("\r\n"))
        let rows = CSVReport.parse(text)
        #expect(rows == CSVReport.rows(report))
        #expect(rows.first == CSVReport.header)
        // prod/apps 2+2+1, prod/infra 1+1+1, staging/apps 1+2+1, staging/legacy 1.
        #expect(rows.count == 1 + 5 + 3 + 4 + 1)
        let c6 = try #require(rows.first { $0[0] == "prod" && $0[2] == "apps" && $0[9] == c[6] })
        #expect(c6[5] == c[8] && c6[13] == "9000" && c6[7] == "2026-11-01T08:30:00Z")
    }

    @Test(
        "CSV fields are quoted exactly when RFC 4180 requires it",
        arguments: [
            ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\nlines", "\"two\nlines\""), ("", ""),
        ])
    func csvQuoting(_ text: String, _ expected: String) {
        #expect(CSVReport.field(text) == expected)
        #expect(CSVReport.parse(CSVReport.field(text) + "\r\n") == [[text]])
    }

    @Test("HTML is well-formed XML with one SVG timeline per Kustomization and no external resource")
    func html() throws {
        let page = HTMLReport.render(report)
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(page.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "parse error: \(String(describing: parser.parserError))")
        #expect(counter.timelines == report.clusters.reduce(0) { $0 + $1.kustomizations.count })
        #expect(counter.circles == report.clusters.flatMap(\.kustomizations).flatMap(\.deployments).filter { $0.firstSeen != nil }.count)
        #expect(counter.failureMarks == 1)
        #expect(!page.contains("<script"))
        #expect(!page.contains("src=\"") && !page.contains("href=\"http") && !page.contains("@import"))
    }

    @Test("HTML escapes subjects")
    func htmlEscapes() {
        var input = AuditWorld.input
        var history = AuditWorld.history
        history.commits[1].details?.subject = "<script>alert('x')</script> & more"
        input.histories[AuditWorld.key] = history
        let page = HTMLReport.render(Audit.report(input))
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"))
    }

    @Test("DevLake payloads carry the fields DevLake's webhook requires, the deployed commit first")
    func devLake() throws {
        let payloads = try #require(
            try JSONSerialization.jsonObject(with: Data(DevLakeReport.render(report).utf8)) as? [[String: Any]])
        #expect(payloads.count == 10, "every deployment with a known first-seen time")
        for payload in payloads {
            for key in ["id", "startedDate", "finishedDate", "result", "environment", "deploymentCommits"] {
                #expect(payload[key] != nil, "\(key) missing")
            }
            #expect(["SUCCESS", "FAILURE"].contains(payload["result"] as? String))
            #expect(DevLakeReport.environments.contains(payload["environment"] as? String ?? ""))
            let commits = try #require(payload["deploymentCommits"] as? [[String: Any]])
            #expect(!commits.isEmpty)
            for commit in commits {
                #expect((commit["repoUrl"] as? String)?.isEmpty == false)
                #expect((commit["commitSha"] as? String)?.count == 40)
            }
        }
        let c8 = try #require(payloads.first { ($0["id"] as? String) == "fluxstamp:prod:flux-system/apps:\(c[8]):succeeded" })
        let commits = try #require(c8["deploymentCommits"] as? [[String: Any]])
        #expect(commits.map { $0["commitSha"] as? String } == [c[8], c[6]])
        #expect(c8["startedDate"] as? String == "2026-11-01T08:30:00Z")
        #expect(commits.first?["repoUrl"] as? String == AuditWorld.repository)
    }

    @Test("Markdown names every Kustomization, the figures and the matrix")
    func markdown() {
        let text = MarkdownReport.render(report)
        #expect(text.contains("### flux-system/apps"))
        #expect(text.contains("**8.00 deployments/day**"))
        #expect(text.contains("change failure rate 11% (1 of 9)"))
        #expect(text.contains("`\(c[3].prefix(7))` HealthCheckFailed at 2026-11-01 03:19Z: restored by `\(c[5].prefix(7))` after 2h 21m"))
        #expect(text.contains("## Commits × clusters"))
        #expect(text.contains("notOnBranch"))
    }

    @Test(
        "durations read as the two largest units",
        arguments: [(0, "0s"), (59, "59s"), (61, "1m 1s"), (3_600, "1h 0m"), (8_460, "2h 21m"), (90_061, "1d 1h"), (-61, "-1m 1s")])
    func durations(_ seconds: Int, _ text: String) {
        #expect(MarkdownReport.duration(seconds) == text)
    }
}

/// Counts the SVG elements a reader sees.
final class ElementCounter: NSObject, XMLParserDelegate {
    var timelines = 0, circles = 0, failureMarks = 0

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "svg", attributes["class"] == "timeline" { timelines += 1 }
        if elementName == "circle" { circles += 1 }
        if elementName == "circle", attributes["class"] == "failure" { failureMarks += 1 }
    }
}
