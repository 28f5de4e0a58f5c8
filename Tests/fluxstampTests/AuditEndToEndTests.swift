import FluxstampTesting
import Foundation
import Ledger
import Logging
import Synchronization
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `fluxstamp audit` end to end: the built binary over a real git repository, the Kubernetes API
/// emulator (status, `status.history`, events), the GitHub emulator's statuses and a SQLite ledger,
/// whose records of the same deployments disagree the way real ones do.
///
/// Commits (GitFixture: one a minute from 2023-11-14T22:14:20Z): c0 layout, c1…c6 apps, c7 infra,
/// c8 docs. Window: 2023-11-14T22:00Z to 2023-11-15T22:00Z (one day).
///
/// apps: c1 at 22:25:00 (ledger only: rotated out of history); c2 at 22:30:00 (snapshot; forge
/// 22:30:03); c3 failed at 22:39:50 (event; snapshot 22:40:00, forge 22:40:10); c5 at 23:00:00
/// (snapshot 23:00:00–23:30:00; forge 23:00:05; event 23:00:30), live; c4 has fluxstamp's
/// `deployed with` status, which is no deployment. infra: c0 at 22:20:00, c7 failing since 23:10:00.
@Suite(.serialized) struct AuditEndToEndTests {
    static let since = "2023-11-14T22:00:00Z"
    static let until = "2023-11-15T22:00:00Z"

    static func time(_ text: String) -> Date { try! Date("2023-11-14T\(text)Z", strategy: Date.ISO8601FormatStyle()) }

    static func world() async throws -> (SyncWorld, ledger: String) {
        let world = try await SyncWorld { c in
            [
                kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[5], attempted: c[5],
                    history: [
                        (c[5], "ReconciliationSucceeded", "23:00:00", "23:30:00"),
                        (c[3], "HealthCheckFailed", "22:40:00", "22:45:00"),
                        (c[2], "ReconciliationSucceeded", "22:30:00", "22:39:00"),
                    ]),
                kustomization(
                    "infra", path: "./infra", ready: ("False", "HealthCheckFailed"), applied: c[0], attempted: c[7],
                    history: [
                        (c[7], "HealthCheckFailed", "23:10:00", "23:50:00"),
                        (c[0], "ReconciliationSucceeded", "22:20:00", "23:05:00"),
                    ]),
                event("apps", c[3], warning: true, first: "22:39:50", last: "22:44:00"),
                event("apps", c[5], warning: false, first: "23:00:30", last: "23:00:30"),
            ].joined(separator: "\n---\n")
        }
        let c = world.commits
        let github = world.github
        github.seed(
            sha: c[2], context: SyncWorld.appsContext, state: "success", description: "reconciliation succeeded", at: time("22:30:03"))
        github.seed(sha: c[3], context: SyncWorld.appsContext, state: "failure", description: "health check failed", at: time("22:40:10"))
        github.seed(
            sha: c[5], context: SyncWorld.appsContext, state: "success", description: "reconciliation succeeded", at: time("23:00:05"))
        github.seed(
            sha: c[4], context: SyncWorld.appsContext, state: "success", description: "deployed with \(c[5].prefix(7))",
            at: time("23:59:00"))
        github.seed(
            sha: c[6], context: "kustomization/apps/other", state: "success", description: "reconciliation succeeded", at: time("23:20:00"))
        // The ledger: an earlier run saw c1 deployed, before its snapshot rotated out.
        let path = world.directory.appendingPathComponent("ledger.db").path
        let ledger = try await Ledger.open(try LedgerURL("sqlite:\(path)"), logger: Logger(label: "test"))
        let run = try await ledger.beginRun(cluster: "e2e", version: "test", started: time("22:26:00"))
        try await ledger.finishRun(
            run, outcome: .succeeded, counts: RunCounts(), finished: time("22:26:00"),
            observations: [
                ObservationRecord(
                    cluster: "e2e", namespace: "flux-system", name: "apps", revision: "main@sha1:\(c[1])", sha: c[1], outcome: .succeeded,
                    reason: "ReconciliationSucceeded", message: "", time: time("22:25:00"), origin: .history)
            ], writes: [])
        await ledger.close()
        return (world, "sqlite:\(path)")
    }

    func audit(_ world: SyncWorld, ledger: String, _ extra: [String]) async throws -> CommandResult {
        try await world.fluxstamp(["audit", "--since", Self.since, "--until", Self.until, "--ledger", ledger] + extra)
    }

    @Test("JSON: exactly the deployments, carried commits, lead times and DORA figures the records give together")
    func json() async throws {
        let (world, ledger) = try await Self.world()
        defer { Task { await world.stop() } }
        let c = world.commits
        let result = try await audit(world, ledger: ledger, ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(root["schemaVersion"] as? Int == 1)
        let clusters = try #require(root["clusters"] as? [[String: Any]])
        #expect(clusters.map { $0["name"] as? String } == ["e2e"])
        let ks = try #require(clusters.first?["kustomizations"] as? [[String: Any]])
        let apps = try #require(ks.first { $0["name"] as? String == "apps" })
        let infra = try #require(ks.first { $0["name"] as? String == "infra" })

        let deployments = try #require(apps["deployments"] as? [[String: Any]])
        #expect(deployments.map { $0["sha"] as? String } == [c[5], c[3], c[2], c[1]])
        #expect(deployments.map { $0["outcome"] as? String } == ["succeeded", "failed", "succeeded", "succeeded"])
        #expect(
            deployments.map { $0["firstSeen"] as? String } == [
                "2023-11-14T23:00:00Z", "2023-11-14T22:39:50Z", "2023-11-14T22:30:00Z", "2023-11-14T22:25:00Z",
            ])
        #expect(
            deployments.map { $0["origins"] as? [String] } == [
                ["status", "history", "event", "forge"], ["history", "event", "forge"], ["history", "forge"], ["ledger"],
            ])
        func commits(_ d: [String: Any]) -> [String] { (d["commits"] as? [[String: Any]] ?? []).compactMap { $0["sha"] as? String } }
        func leads(_ d: [String: Any]) -> [Int?] { (d["commits"] as? [[String: Any]] ?? []).map { $0["leadTimeSeconds"] as? Int } }
        #expect(deployments.map(commits) == [[c[5], c[4], c[3]], [c[3]], [c[2]], []])
        #expect(leads(deployments[0]) == [2440, 2500, 2560])
        #expect(leads(deployments[2]) == [820])
        #expect(deployments.map { $0["carriedKnown"] as? Bool } == [true, true, true, false])

        let failures = try #require(apps["failures"] as? [[String: Any]])
        #expect(failures.map { $0["sha"] as? String } == [c[3]])
        #expect(failures.first?["timeToRestoreSeconds"] as? Int == 1210)
        let pending = try #require(apps["pending"] as? [[String: Any]])
        #expect(pending.map { $0["sha"] as? String } == [c[6]])
        #expect(pending.first?["ageSeconds"] as? Int == 85_180)
        let live = try #require(apps["live"] as? [String: Any])
        #expect(live["sha"] as? String == c[5])
        #expect(live["subject"] as? String == "apps change 5")

        let appsDORA = try #require(apps["dora"] as? [String: Any])
        #expect(appsDORA["deploymentsPerDay"] as? Double == 3)
        #expect(appsDORA["leadTimeMedianSeconds"] as? Double == 2470)
        #expect(appsDORA["leadTimeP90Seconds"] as? Double == 2560)
        #expect(appsDORA["changeFailureRate"] as? Double == 0.25)
        #expect(appsDORA["timeToRestoreMedianSeconds"] as? Double == 1210)

        let infraDeployments = try #require(infra["deployments"] as? [[String: Any]])
        #expect(infraDeployments.map { $0["sha"] as? String } == [c[7], c[0]])
        #expect(infraDeployments.first.map(commits) == [c[7]])
        #expect(infraDeployments.first?["otherCommits"] as? Int == 6)
        let infraFailures = try #require(infra["failures"] as? [[String: Any]])
        #expect(infraFailures.first?["timeToRestoreSeconds"] is NSNull, "still failing")

        let dora = try #require(root["dora"] as? [String: Any])
        #expect(dora["deployments"] as? Int == 4)
        #expect(dora["failedDeployments"] as? Int == 2)
        #expect(abs((dora["changeFailureRate"] as? Double ?? 0) - 2.0 / 6) < 1e-12, "parsed JSON doubles may differ in the last digit")
        #expect(dora["leadTimeMedianSeconds"] as? Double == 2470)
        #expect(dora["timeToRestoreMedianSeconds"] as? Double == 1210)
        #expect(!result.stdout.contains("e2e-forge-token") && !result.stderr.contains("e2e-forge-token"))
    }

    @Test("every format from the same world: Markdown, CSV that parses back, well-formed HTML, DevLake payloads")
    func formats() async throws {
        let (world, ledger) = try await Self.world()
        defer { Task { await world.stop() } }
        let c = world.commits

        let md = try await audit(world, ledger: ledger, [])
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.stdout.contains("### flux-system/apps"))
        #expect(md.stdout.contains("change failure rate 25% (1 of 4)"))

        let csv = try await audit(world, ledger: ledger, ["--format", "csv"])
        let rows = parseCSV(csv.stdout)
        #expect(rows.first?.first == "cluster")
        // apps: 3 + 1 + 1 + 1 (unknown range) rows; infra: 1 + 1.
        #expect(rows.count == 1 + 6 + 2)
        #expect(rows.contains { $0[9] == c[4] && $0[5] == c[5] && $0[13] == "2500" })

        let file = world.directory.appendingPathComponent("audit.html")
        let html = try await audit(world, ledger: ledger, ["--format", "html", "--output", file.path])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try Data(contentsOf: file)
        let counter = TimelineCounter()
        let parser = XMLParser(data: page)
        parser.delegate = counter
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(counter.timelines == 2)
        #expect(counter.marks >= 6)

        let devlake = try await audit(world, ledger: ledger, ["--format", "devlake"])
        let payloads = try #require(try JSONSerialization.jsonObject(with: Data(devlake.stdout.utf8)) as? [[String: Any]])
        #expect(payloads.count == 6)
        for payload in payloads {
            #expect(payload["id"] is String && payload["startedDate"] is String && payload["finishedDate"] is String)
            for commit in payload["deploymentCommits"] as? [[String: Any]] ?? [] {
                #expect(commit["repoUrl"] as? String == "https://github.com/acme/fleet")
                #expect((commit["commitSha"] as? String)?.count == 40)
            }
        }
    }

    @Test("several --context values: one report over both clusters, and the commits × clusters matrix")
    func twoClusters() async throws {
        let (world, _) = try await Self.world()
        let c = world.commits
        // staging: its own Provider (so its own status context), deployed c5 at 23:20 and c6 at 23:40.
        let staging = try await KubeAPIEmulator.start(fixtures: [])
        defer {
            Task {
                await staging.shutdown()
                await world.stop()
            }
        }
        try await staging.store.load(
            yaml: SyncWorld.fluxSetup.replacingOccurrences(of: SyncWorld.providerUID, with: "5d5d5d5d-0000-4000-8000-000000000005")
                + "\n---\n"
                + Self.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                    history: [
                        (c[6], "ReconciliationSucceeded", "23:40:00", "23:50:00"),
                        (c[5], "ReconciliationSucceeded", "23:20:00", "23:39:00"),
                    ]))
        let kubeconfig = world.directory.appendingPathComponent("two-clusters")
        try Self.merged(try world.kube.kubeconfig(contextName: "prod"), try staging.kubeconfig(contextName: "staging"))
            .write(to: kubeconfig, atomically: true, encoding: .utf8)
        let binary = try #require(BuiltProduct.url())
        let arguments = [
            "audit", "--context", "prod", "--context", "staging", "--kubeconfig", kubeconfig.path, "--config", world.config.path,
            "--since", Self.since, "--until", Self.until, "--format", "json",
        ]
        let result = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runCommand(binary, arguments, environment: ["HOME": "/nonexistent"]) })
            }
        }
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let clusters = try #require(root["clusters"] as? [[String: Any]])
        #expect(clusters.map { $0["name"] as? String } == ["prod", "staging"])
        let stagingApps = try #require((clusters.last?["kustomizations"] as? [[String: Any]])?.first)
        let deployments = try #require(stagingApps["deployments"] as? [[String: Any]])
        #expect(deployments.map { $0["sha"] as? String } == [c[6], c[5]], "prod's forge statuses are in another context")
        let carried = try #require(deployments.first?["commits"] as? [[String: Any]])
        #expect(carried.map { $0["sha"] as? String } == [c[6]])
        #expect(carried.first?["leadTimeSeconds"] as? Int == 4780)
        let matrix = try #require(root["matrix"] as? [[String: Any]])
        func cell(_ sha: String, _ cluster: String) -> [String: Any]? {
            (matrix.first { $0["sha"] as? String == sha }?["clusters"] as? [[String: Any]])?.first { $0["cluster"] as? String == cluster }
        }
        #expect(cell(c[6], "prod")?["state"] as? String == "pending")
        #expect(cell(c[6], "staging")?["deployedAt"] as? String == "2023-11-14T23:40:00Z")
        #expect(cell(c[5], "prod")?["deployedAt"] as? String == "2023-11-14T23:00:00Z")
        #expect(cell(c[5], "staging")?["deployedAt"] as? String == "2023-11-14T23:20:00Z")
        #expect(cell(c[7], "staging")?["state"] as? String == "notWatched", "staging has no ./infra Kustomization")
    }

    @Test("--cluster all: clusters read from the ledger alone, without contacting them")
    func ledgerOnly() async throws {
        let (world, _) = try await Self.world()
        defer { Task { await world.stop() } }
        let c = world.commits
        let path = world.directory.appendingPathComponent("shared.db").path
        let ledger = try await Ledger.open(try LedgerURL("sqlite:\(path)"), logger: Logger(label: "test"))
        func record(_ cluster: String, _ sha: String, _ outcome: ObservationOutcome, _ at: String) -> ObservationRecord {
            ObservationRecord(
                cluster: cluster, namespace: "flux-system", name: "apps", revision: "main@sha1:\(sha)", sha: sha, outcome: outcome,
                reason: outcome == .succeeded ? "ReconciliationSucceeded" : "HealthCheckFailed", message: "", time: Self.time(at),
                origin: .history)
        }
        for (cluster, records) in [
            (
                "east",
                [
                    record("east", c[2], .succeeded, "22:30:00"), record("east", c[3], .failed, "22:40:00"),
                    record("east", c[5], .succeeded, "23:00:00"),
                ]
            ),
            ("west", [record("west", c[5], .succeeded, "23:10:00")]),
        ] {
            let run = try await ledger.beginRun(cluster: cluster, version: "test", started: Self.time("23:30:00"))
            try await ledger.finishRun(
                run, outcome: .succeeded, counts: RunCounts(), finished: Self.time("23:30:00"), observations: records, writes: [])
        }
        await ledger.close()
        let result = try await world.fluxstamp([
            "audit", "--cluster", "all", "--ledger", "sqlite:\(path)", "--since", Self.since, "--until", Self.until, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let clusters = try #require(root["clusters"] as? [[String: Any]])
        #expect(clusters.map { $0["name"] as? String } == ["east", "west"])
        let east = try #require((clusters.first?["kustomizations"] as? [[String: Any]])?.first)
        let deployments = try #require(east["deployments"] as? [[String: Any]])
        #expect(deployments.map { $0["sha"] as? String } == [c[5], c[3], c[2]])
        #expect(deployments.map { $0["carriedKnown"] as? Bool } == [false, false, false], "the ledger keeps no path")
        #expect((east["failures"] as? [[String: Any]])?.first?["timeToRestoreSeconds"] as? Int == 1200)
        #expect((east["anomalies"] as? [[String: Any]])?.first?["kind"] as? String == "historyUnavailable")
        #expect(east["live"] is NSNull)
        let dora = try #require(root["dora"] as? [String: Any])
        #expect(dora["deployments"] as? Int == 3)
        #expect(dora["failedDeployments"] as? Int == 1)
    }

    @Test("--push-devlake posts one payload per deployment with the API key as a Bearer token; a refusal is exit 1")
    func pushDevLake() async throws {
        let (world, ledger) = try await Self.world()
        let received = Mutex<[EmulatorRequest]>([])
        let refuse = Mutex(false)
        let devlake = try await EmulatorServer { request in
            received.withLock { $0.append(request) }
            return refuse.withLock { $0 } ? .json(400, #"{"message":"input json error"}"#) : .json(200, "null")
        }
        defer {
            Task {
                await devlake.shutdown()
                await world.stop()
            }
        }
        let binary = try #require(BuiltProduct.url())
        let url = "\(devlake.baseURL)/api/rest/plugins/webhook/1/deployments"
        let arguments = [
            "audit", "--kubeconfig", world.kubeconfig.path, "--config", world.config.path, "--ledger", ledger, "--since", Self.since,
            "--until", Self.until, "--push-devlake", url, "--output", world.directory.appendingPathComponent("report.md").path,
        ]
        func run() async throws -> CommandResult {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(
                        with: Result {
                            try runCommand(
                                binary, arguments, environment: ["HOME": "/nonexistent", "DEVLAKE_API_KEY": "devlake-secret-key"])
                        })
                }
            }
        }
        let result = try await run()
        #expect(result.status == 0, "\(result.stderr)")
        let requests = received.withLock { $0 }
        #expect(requests.count == 6, "one per deployment with a first-seen time")
        #expect(requests.allSatisfy { $0.method == "POST" && $0.path == "/api/rest/plugins/webhook/1/deployments" })
        #expect(requests.allSatisfy { $0.header("Authorization") == "Bearer devlake-secret-key" })
        for request in requests {
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(payload["id"] is String && payload["startedDate"] is String && payload["deploymentCommits"] is [Any])
        }
        #expect(result.stderr.contains("posted 6 of 6 deployments to DevLake"))
        #expect(!result.stderr.contains("devlake-secret-key"))

        refuse.withLock { $0 = true }
        let refused = try await run()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("DevLake refused deployment fluxstamp:e2e:flux-system/apps:"))
        #expect(refused.stderr.contains("HTTP 400"))
        #expect(!refused.stderr.contains("devlake-secret-key"))
    }

    /// Two single-context kubeconfigs as one with both contexts.
    static func merged(_ a: String, _ b: String) -> String {
        func section(_ text: String, _ name: String, until next: String) -> String {
            let start = text.range(of: "\(name):\n")!.upperBound
            let end = text.range(of: "\n\(next):", range: start..<text.endIndex)!.lowerBound
            return String(text[start..<end])
        }
        return "apiVersion: v1\nkind: Config\n"
            + "clusters:\n\(section(a, "clusters", until: "users"))\n\(section(b, "clusters", until: "users"))\n"
            + "users:\n\(section(a, "users", until: "contexts"))\n\(section(b, "users", until: "contexts"))\n"
            + "contexts:\n\(section(a, "contexts", until: "current-context"))\n\(section(b, "contexts", until: "current-context"))\n"
            + "current-context: prod\n"
    }

    @Test("the HTML page renders in headless Chromium without console errors and with a non-empty timeline")
    func chromium() async throws {
        let browser = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile),
            "Debian's chromium is missing: scripts/setup installs it")
        let (world, ledger) = try await Self.world()
        defer { Task { await world.stop() } }
        let file = world.directory.appendingPathComponent("audit.html")
        let html = try await audit(world, ledger: ledger, ["--format", "html", "--output", file.path])
        #expect(html.status == 0, "\(html.stderr)")
        let profile = world.directory.appendingPathComponent("chromium").path
        // Off the cooperative pool, and bounded: a browser that hangs must not hold a thread the
        // other tests need, nor the run.
        let result = try await Sandbox.offPool {
            try runCommand(
                URL(fileURLWithPath: "/usr/bin/timeout"),
                [
                    "120", browser, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)",
                    "--enable-logging=stderr", "--v=0", "--dump-dom", file.absoluteString,
                ])
        }
        #expect(result.status == 0, "exit \(result.status) (124: killed after 120 s): \(result.stderr)")
        #expect(result.stdout.contains("class=\"timeline\""))
        #expect(result.stdout.contains("class=\"deployment\""))
        let consoleErrors = result.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") && $0.contains("ERROR") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
    }

    /// A Kustomization whose snapshots have their own first and last reconcile times (on 2023-11-14).
    static func kustomization(
        _ name: String, path: String, ready: (String, String), applied: String, attempted: String,
        history: [(sha: String, status: String, first: String, last: String)]
    ) -> String {
        SyncWorld.kustomization(
            name, path: path, ready: ready, applied: applied, attempted: attempted,
            snapshots: history.map { (sha: $0.sha, status: $0.status, first: "2023-11-14T\($0.first)Z", last: "2023-11-14T\($0.last)Z") })
    }

    /// A kustomize-controller Event, as client-go's recorder writes it.
    static func event(_ name: String, _ sha: String, warning: Bool, first: String, last: String) -> String {
        """
        apiVersion: v1
        kind: Event
        metadata:
          name: \(name).\(sha.prefix(12))
          namespace: flux-system
          annotations:
            kustomize.toolkit.fluxcd.io/revision: main@sha1:\(sha)
        \(warning ? "" : "    kustomize.toolkit.fluxcd.io/commit_status: update\n")involvedObject:
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          name: \(name)
          namespace: flux-system
        reason: \(warning ? "HealthCheckFailed" : "ReconciliationSucceeded")
        message: "\(warning ? "health check failed after 5m0s" : "Reconciliation finished in 1.2s, next run in 10m0s")"
        type: \(warning ? "Warning" : "Normal")
        count: 1
        firstTimestamp: "2023-11-14T\(first)Z"
        lastTimestamp: "2023-11-14T\(last)Z"
        eventTime: null
        source:
          component: kustomize-controller
        """
    }

    /// RFC 4180 rows (CRLF, quoted fields with doubled quotes), parsed independently of the Audit module.
    func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else {
                    field.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                row.append(field); field = ""
            } else if ch == "\r\n" || ch == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(ch)
            }
        }
        return rows
    }
}

/// Counts SVG timelines and their marks.
final class TimelineCounter: NSObject, XMLParserDelegate {
    var timelines = 0, marks = 0

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "svg", attributes["class"] == "timeline" { timelines += 1 }
        if elementName == "circle" { marks += 1 }
    }
}
