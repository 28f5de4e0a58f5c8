import FluxstampTesting
import Foundation
import Testing

/// `sync --pushgateway` and `--metrics-file` end to end: the body a Pushgateway receives parses as
/// Prometheus text and carries the run's figures; a dead gateway does not change the exit code.
@Suite(.serialized) struct MetricsEndToEndTests {
    /// The outage world and a receiver standing in for the Pushgateway (answering `status`), both
    /// stopped after `body`.
    func withGateway(status: Int = 200, _ body: (SyncWorld, Receiver) async throws -> Void) async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        let gateway = try await Receiver.start(status: status)
        defer {
            Task {
                await world.stop(); await gateway.stop()
            }
        }
        try await body(world, gateway)
    }

    /// A successful sync that writes the metrics file; the last-success time it recorded.
    func succeed(_ world: SyncWorld, metricsFile file: URL) async throws -> Double {
        let good = try await world.fluxstamp(["sync", "--metrics-file", file.path])
        #expect(good.status == 0, "\(good.stderr)")
        return try #require(try metrics(file).value("fluxstamp_last_success_timestamp_seconds"))
    }

    func metrics(_ file: URL) throws -> [PrometheusSample] { try parsePrometheusText(try String(contentsOf: file, encoding: .utf8)) }

    @Test("the pushed body is Prometheus text with the run's figures, PUT to the job/cluster group")
    func push() async throws {
        try await withGateway { world, gateway in
            let sync = try await world.fluxstamp(["sync", "--pushgateway", gateway.url])
            #expect(sync.status == 0, "\(sync.stderr)")
            let request = try #require(gateway.requests.first)
            #expect(gateway.requests.count == 1)
            #expect(request.method == "PUT", "a successful run replaces the group")
            #expect(request.path == "/metrics/job/fluxstamp/cluster/e2e")
            #expect(request.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try parsePrometheusText(request.bodyText)
            #expect(samples.value("fluxstamp_statuses_planned") == 5)
            #expect(samples.value("fluxstamp_statuses_written") == 5)
            #expect(samples.value("fluxstamp_statuses_written") == Double(world.writes))
            #expect(samples.value("fluxstamp_kustomizations_observed") == 2)
            #expect(samples.value("fluxstamp_run_success") == 1)
            let finished = try #require(samples.value("fluxstamp_run_timestamp_seconds"))
            #expect(samples.value("fluxstamp_last_success_timestamp_seconds") == finished)
            #expect(samples.value("fluxstamp_forge_rate_limit_wait_seconds", ["forge": "github"]) == 0)
            let requests = samples.filter { $0.name == "fluxstamp_forge_requests" }
            let seen = Double(world.github.core.requests.count)
            #expect(requests.reduce(0) { $0 + $1.value } == seen, "every request the forge saw is counted")
            #expect(requests.allSatisfy { $0.labels["forge"] == "github" && $0.labels["outcome"] == "2xx" }, "\(requests)")
            #expect(samples.filter { $0.name == "fluxstamp_statuses_failed" }.isEmpty)
        }
    }

    @Test("a run that skips counts skips by reason, and a rerun's figures say nothing was planned")
    func rerun() async throws {
        try await withGateway { world, gateway in
            _ = try await world.fluxstamp(["sync", "--max-writes", "2", "--pushgateway", gateway.url])
            let first = try parsePrometheusText(try #require(gateway.requests.first).bodyText)
            #expect(first.value("fluxstamp_statuses_written") == 2)
            #expect(first.value("fluxstamp_statuses_skipped", ["reason": "write_budget"]) == 3)
            _ = try await world.fluxstamp(["sync", "--pushgateway", gateway.url])
            _ = try await world.fluxstamp(["sync", "--pushgateway", gateway.url])
            let last = try parsePrometheusText(try #require(gateway.requests.last).bodyText)
            #expect(last.value("fluxstamp_statuses_planned") == 0)
            #expect(last.value("fluxstamp_statuses_unchanged") == 5)
        }
    }

    @Test("a Pushgateway behind basic auth gets the URL's user and password as a header; no log line carries the password")
    func basicAuth() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        let gateway = try await Receiver.start()
        let refusing = try await Receiver.start(status: 401)
        defer {
            Task {
                await world.stop(); await gateway.stop(); await refusing.stop()
            }
        }
        func withUser(_ url: String) -> String { url.replacingOccurrences(of: "http://", with: "http://ops:s3cret-pw@") }
        let sync = try await world.fluxstamp(["sync", "--pushgateway", withUser(gateway.url)])
        #expect(sync.status == 0, "\(sync.stderr)")
        let request = try #require(gateway.requests.first)
        #expect(request.header("Authorization") == "Basic " + Data("ops:s3cret-pw".utf8).base64EncodedString())
        #expect(request.path == "/metrics/job/fluxstamp/cluster/e2e")
        let refused = try await world.fluxstamp(["sync", "--pushgateway", withUser(refusing.url)])
        #expect(refused.status == 0, "a refused push does not change the run's outcome: \(refused.stderr)")
        let line = "metrics were not pushed to \(refusing.url)/metrics/job/fluxstamp/cluster/e2e: HTTP 401"
        #expect(refused.stderr.contains(line), "\(refused.stderr)")
        #expect(!(sync.stderr + refused.stderr).contains("s3cret-pw"))
    }

    @Test("a run that stops before the pipeline (no usable kubeconfig, no usable ledger) still exports run_success 0")
    func earlyFailureIsExported() async throws {
        try await withGateway { world, gateway in
            let file = world.directory.appendingPathComponent("fluxstamp.prom")
            let success = try await succeed(world, metricsFile: file)
            let notALedger = world.directory.appendingPathComponent("not-a-ledger.db")
            try Data("just some text".utf8).write(to: notALedger)
            for (flags, exit) in [(["--ledger", "sqlite:" + notALedger.path], Int32(2)), (["--context", "no-such-context"], Int32(2))] {
                let bad = try await world.fluxstamp(["sync", "--metrics-file", file.path, "--pushgateway", gateway.url] + flags)
                #expect(bad.status == exit, "\(flags): \(bad.stderr)")
                let after = try metrics(file)
                #expect(after.value("fluxstamp_run_success") == 0, "\(flags)")
                #expect(after.value("fluxstamp_last_success_timestamp_seconds") == success, "\(flags)")
            }
            #expect(gateway.requests.count == 2)
            #expect(gateway.requests.allSatisfy { $0.method == "POST" }, "a failed run must not replace the group's last success")
        }
    }

    @Test("a dead Pushgateway is logged and the exit code stays 0; the metrics file is written anyway")
    func deadGateway() async throws {
        try await withGateway(status: 503) { world, gateway in
            let file = world.directory.appendingPathComponent("fluxstamp.prom")
            let sync = try await world.fluxstamp(["sync", "--pushgateway", gateway.url, "--metrics-file", file.path])
            #expect(sync.status == 0, "\(sync.stderr)")
            #expect(sync.stderr.contains("metrics were not pushed to \(gateway.url)"), "\(sync.stderr)")
            #expect(world.writes == 5)
            let samples = try metrics(file)
            #expect(samples.value("fluxstamp_statuses_written") == 5)
            #expect(samples.first { $0.name == "fluxstamp_run_success" }?.labels["cluster"] == "e2e")
        }
    }

    @Test("a failed run writes run_success 0 and keeps the last successful run's time; the push is a POST")
    func failedRunKeepsLastSuccess() async throws {
        try await withGateway { world, gateway in
            let file = world.directory.appendingPathComponent("fluxstamp.prom")
            let success = try await succeed(world, metricsFile: file)
            world.kube.controls.deny(.init(verb: "list", resource: "kustomizations"))
            let bad = try await world.fluxstamp(["sync", "--metrics-file", file.path, "--pushgateway", gateway.url])
            #expect(bad.status == 1, "\(bad.stderr)")
            let after = try metrics(file)
            #expect(after.value("fluxstamp_run_success") == 0)
            #expect(after.value("fluxstamp_last_success_timestamp_seconds") == success)
            #expect(after.value("fluxstamp_run_timestamp_seconds")! > success)
            let pushed = try #require(gateway.requests.first)
            #expect(pushed.method == "POST", "a failed run must not replace the group's last success")
            #expect(try parsePrometheusText(pushed.bodyText).value("fluxstamp_last_success_timestamp_seconds") == nil)
        }
    }
}
