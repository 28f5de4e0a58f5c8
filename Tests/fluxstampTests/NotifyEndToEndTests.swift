import FluxstampTesting
import Foundation
import Testing

/// `sync --notify-webhook` end to end: a receiver gets each format once per run that did
/// something, nothing when nothing happened, and a dead webhook never changes the exit code.
@Suite(.serialized) struct NotifyEndToEndTests {
    static func json(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
    }

    /// Three runs with a ledger: the first corrects and backfills (its deployments are the baseline),
    /// then Flux applies c8 to apps and fails c8 on infra, the second tells that, the third nothing.
    /// Returns the requests each run added.
    static func threeRuns(format: String) async throws -> (world: SyncWorld, runs: [[EmulatorRequest]]) {
        let world = try await SyncEndToEndTests.outageWorld()
        let receiver = try await Receiver.start()
        let ledger = "sqlite:" + world.directory.appendingPathComponent("ledger.db").path
        let arguments = ["sync", "--ledger", ledger, "--notify-webhook", receiver.url, "--notify-format", format]
        var runs: [[EmulatorRequest]] = []
        var count = 0
        for run in 0..<3 {
            if run == 1 {
                let c = world.commits
                try await world.kube.store.load(
                    yaml: SyncWorld.kustomization(
                        "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[8], attempted: c[8]))
                try await world.kube.store.load(
                    yaml: SyncWorld.kustomization(
                        "infra", path: "./infra", ready: ("False", "HealthCheckFailed"), applied: c[0], attempted: c[8]))
            }
            let result = try await world.fluxstamp(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let all = receiver.requests
            runs.append(Array(all[count...]))
            count = all.count
        }
        await receiver.stop()
        return (world, runs)
    }

    @Test("json: one documented document per run that did something; the first run's deployments are the baseline")
    func jsonFormat() async throws {
        let (world, runs) = try await Self.threeRuns(format: "json")
        defer { Task { await world.stop() } }
        let c = world.commits
        #expect(runs.map(\.count) == [1, 1, 0], "nothing is sent when nothing happened")
        #expect(runs[0].first?.header("Content-Type") == "application/json")
        let first = try Self.json(try #require(runs[0].first).bodyText)
        #expect(first["cluster"] as? String == "e2e")
        #expect((first["deployments"] as? [Any])?.isEmpty == true)
        let statuses = try #require(first["statuses"] as? [[String: Any]])
        #expect(statuses.count == 5)
        #expect(statuses.filter { $0["kind"] as? String == "corrected" }.map { $0["commit"] as? String } == [c[6]], "the ghost failure")
        #expect(statuses.filter { $0["kind"] as? String == "backfilled" }.count == 4)
        let second = try Self.json(try #require(runs[1].first).bodyText)
        let deployments = try #require(second["deployments"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: deployments.map { ("\($0["name"]!) \($0["outcome"]!)", $0) })
        #expect(byName.keys.sorted() == ["apps succeeded", "infra failed"])
        #expect(byName["apps succeeded"]?["revision"] as? String == "main@sha1:\(c[8])")
        #expect(byName["apps succeeded"]?["commitURL"] as? String == "https://github.com/acme/fleet/commit/\(c[8])")
        #expect(byName["infra failed"]?["reason"] as? String == "HealthCheckFailed")
        #expect((second["statuses"] as? [Any])?.count == 2)
    }

    @Test("cloudevents: one structured-mode event per deployment and per status, with the required attributes")
    func cloudEvents() async throws {
        let (world, runs) = try await Self.threeRuns(format: "cloudevents")
        defer { Task { await world.stop() } }
        let c = world.commits
        #expect(runs.map(\.count) == [5, 4, 0])
        for request in runs.joined() {
            #expect(request.header("Content-Type") == "application/cloudevents+json")
            let event = try Self.json(request.bodyText)
            #expect(event["specversion"] as? String == "1.0")
            for attribute in ["id", "source", "type", "time", "subject"] {
                #expect((event[attribute] as? String)?.isEmpty == false, "\(attribute) in \(event)")
            }
            let time = try #require(event["time"] as? String)
            #expect((try? Date(time, strategy: Date.ISO8601FormatStyle())) != nil, "RFC 3339 time: \(time)")
        }
        let events = try runs[1].map { try Self.json($0.bodyText) }
        let types = events.compactMap { $0["type"] as? String }.sorted()
        #expect(
            types == [
                "dev.fluxstamp.deployment.failed", "dev.fluxstamp.deployment.succeeded", "dev.fluxstamp.status.corrected",
                "dev.fluxstamp.status.corrected",
            ])
        let succeeded = try #require(events.first { $0["type"] as? String == "dev.fluxstamp.deployment.succeeded" })
        #expect(succeeded["subject"] as? String == "flux-system/apps")
        let data = try #require(succeeded["data"] as? [String: Any])
        #expect(data["cluster"] as? String == "e2e")
        #expect(data["name"] as? String == "apps")
        #expect(data["revision"] as? String == "main@sha1:\(c[8])")
        #expect(data["commit"] as? String == c[8])
        #expect(Set(events.compactMap { $0["id"] as? String }).count == 4, "ids are distinct")
        #expect(try runs[0].allSatisfy { try Self.json($0.bodyText)["type"] as? String == "dev.fluxstamp.status.corrected" })
    }

    @Test("slack: an incoming-webhook message with text and section blocks linking the commits")
    func slack() async throws {
        let (world, runs) = try await Self.threeRuns(format: "slack")
        defer { Task { await world.stop() } }
        let c = world.commits
        #expect(runs.map(\.count) == [1, 1, 0])
        let message = try Self.json(try #require(runs[1].first).bodyText)
        let text = try #require(message["text"] as? String)
        #expect(text == "fluxstamp on e2e: 2 new deployments, 2 statuses backfilled")
        let blocks = try #require(message["blocks"] as? [[String: Any]])
        #expect(blocks.allSatisfy { ["section", "context"].contains($0["type"] as? String ?? "") })
        let texts = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
        #expect(texts.allSatisfy { !$0.isEmpty })
        let link = "<https://github.com/acme/fleet/commit/\(c[8])|`\(c[8].prefix(7))`>"
        #expect(texts.contains { $0.contains("*flux-system/apps* deployed \(link)") }, "\(texts)")
        #expect(texts.contains { $0.contains("*flux-system/infra* failed at \(link) — HealthCheckFailed") }, "\(texts)")
        let first = try Self.json(try #require(runs[0].first).bodyText)
        #expect(first["text"] as? String == "fluxstamp on e2e: 1 status corrected, 4 statuses backfilled")
    }

    @Test("a dead webhook (503, retried; and a closed port) is logged and the exit code stays 0, every status written")
    func deadWebhook() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        let failing = try await Receiver.start(status: 503)
        let closed = try await Receiver.start()
        await closed.stop()
        defer {
            Task {
                await world.stop(); await failing.stop()
            }
        }
        let sync = try await world.fluxstamp(["sync", "--notify-webhook", failing.url, "--notify-webhook", closed.url])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.writes == 5)
        #expect(failing.requests.count == 3, "three attempts with backoff")
        #expect(
            sync.stderr.contains("notification webhook \(failing.url)/…: 1 of 1 json posts failed (HTTP 503 after 3 attempts)"),
            "\(sync.stderr)")
        #expect(
            sync.stderr.contains("notification webhook \(closed.url)/…: 1 of 1 json posts failed (connection refused after 3 attempts)"),
            "\(sync.stderr)")
    }

    @Test(
        "without a ledger a deployment is new when Flux reported it within --notify-window",
        arguments: [("5m", ["apps"]), ("30s", [])])
    func window(window: String, told: [String]) async throws {
        let transition = Date().addingTimeInterval(-60).formatted(Date.ISO8601FormatStyle())
        let world = try await SyncWorld { c in
            SyncWorld.kustomization("apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6])
                .replacingOccurrences(of: "2026-11-20T10:00:00Z", with: transition)
        }
        let receiver = try await Receiver.start()
        defer {
            Task {
                await world.stop(); await receiver.stop()
            }
        }
        let sync = try await world.fluxstamp(["sync", "--notify-webhook", receiver.url, "--notify-window", window])
        #expect(sync.status == 0, "\(sync.stderr)")
        let document = try Self.json(try #require(receiver.requests.first).bodyText)
        let deployments = try #require(document["deployments"] as? [[String: Any]])
        #expect(deployments.compactMap { $0["name"] as? String } == told)
        #expect((document["statuses"] as? [Any])?.count == 1, "the run backfilled c6")
    }
}
