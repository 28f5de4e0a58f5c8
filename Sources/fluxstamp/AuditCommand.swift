import ArgumentParser
import Audit
import Forges
import Foundation
import Kube
import Ledger
import Logging
import Reconcile

/// `fluxstamp audit`: which commits were deployed where and when, with lead times and the DORA
/// figures, from the cluster, the ledger, the forge's statuses and git (docs/audit.md).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report deployed commits per cluster and Kustomization: lead times, failures, pending commits, DORA figures.",
        discussion:
            "Formats: md (default), json (schema: docs/audit.md), csv, html (one self-contained page), devlake. "
            + "Exit codes: 0 report written; 1 written, but some inputs were unusable; 2 bad usage or configuration."
    )

    @Option(help: "Path of the kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context of a cluster to report on (repeatable: one report over several clusters).")
    var context: [String] = []

    @Option(help: "fluxstamp.yaml (cluster name, selection, repositories, forges, ledger); flags override it.")
    var config: String?

    @Option(name: [.customShort("n"), .long], help: "Only Kustomizations in this namespace (default: all namespaces).")
    var namespace: String?

    @Option(name: [.customShort("l"), .long], help: "Label selector for Kustomizations, e.g. tier=apps.")
    var selector: String?

    @Option(name: .long, help: "Only the Kustomization with this name (repeatable).")
    var name: [String] = []

    @Option(help: "The cluster's name in the report and the ledger (default: the context name, else config clusterName).")
    var clusterName: String?

    @Option(help: "Start of the window: a duration before now (30d, 72h) or a date (2026-11-01).")
    var since: String = "30d"

    @Option(help: "End of the window: a date or a duration before now (default: now).")
    var until: String?

    @Option(help: "Read earlier runs' observations from a ledger: sqlite:PATH or postgres://USER@HOST:PORT/DB.")
    var ledger: String?

    @Option(help: "Directory for bare mirrors of the source repositories.")
    var cacheDir: String?

    @Option(name: .customLong("repo"), help: "Use a local repository for a URL instead of fetching it: URL=PATH (repeatable).")
    var repositories: [String] = []

    @Flag(help: "Do not read the commit statuses already on the forges.")
    var noForge = false

    @Option(help: "md, json, csv, html or devlake.")
    var format: String = "md"

    @Option(name: [.customShort("o"), .long], help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "Post the DevLake deployment payloads to this incoming-webhook URL (API key from DEVLAKE_API_KEY).")
    var pushDevlake: String?

    @Option(help: "DevLake environment of the deployments: PRODUCTION, STAGING, TESTING or DEVELOPMENT.")
    var devlakeEnvironment: String = "PRODUCTION"

    @Option(help: "Log lines on stderr: human or json.")
    var logFormat: String = "human"

    enum Format: String, CaseIterable { case md, json, csv, html, devlake }

    func validate() throws {
        guard Format(rawValue: format) != nil else { throw ValidationError("--format '\(format)': use md, json, csv, html or devlake") }
        guard DevLakeReport.environments.contains(devlakeEnvironment) else {
            throw ValidationError("--devlake-environment '\(devlakeEnvironment)': use PRODUCTION, STAGING, TESTING or DEVELOPMENT")
        }
        if context.count > 1, clusterName != nil {
            throw ValidationError("--cluster-name names one cluster: with several --context values each is named after its context")
        }
    }

    func run() async throws {
        try await execute()
    }

    /// The `sync` settings these flags stand for, so `--config`, the selection and `--repo` mean
    /// exactly what they mean for `sync`.
    func syncSettings(now: Date) throws(CommandError) -> SyncSettings {
        var arguments = ["--since", since, "--log-format", logFormat]
        if let config { arguments += ["--config", config] }
        if let namespace { arguments += ["--namespace", namespace] }
        if let selector { arguments += ["--selector", selector] }
        for name in name { arguments += ["--name", name] }
        if let clusterName { arguments += ["--cluster-name", clusterName] }
        if let ledger { arguments += ["--ledger", ledger] }
        if let cacheDir { arguments += ["--cache-dir", cacheDir] }
        for repository in repositories { arguments += ["--repo", repository] }
        do {
            return try SyncSettings(try SyncOptions.parse(arguments), now: now)
        } catch let error as SettingsError {
            throw .settings(error.description)
        } catch {
            throw .settings(SyncOptions.message(for: error))
        }
    }

    func execute() async throws(CommandError) {
        // Whole seconds: the report's times are read by people and compared by tools.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let settings = try syncSettings(now: now)
        settings.logFormat.bootstrap()
        let logger = Logger(label: "fluxstamp")
        let start = settings.pipeline.policy.since ?? now.addingTimeInterval(-30 * 86_400)
        var end = now
        if let until {
            guard let date = Horizon.parse(until, now: now) else {
                throw .settings("--until '\(until)' is neither a date (2026-11-01) nor a duration before now (7d)")
            }
            end = date
        }
        guard start < end else {
            throw .settings("the window is empty: --since \(RFC3339Time.format(start)) is not before --until \(RFC3339Time.format(end))")
        }
        let openedLedger: Ledger?
        if let url = settings.ledger {
            do { openedLedger = try await Ledger.open(url, logger: logger) } catch { throw .settings("\(error)") }
        } else {
            openedLedger = nil
        }
        // One cluster per --context (named after it), or the current context under the configured name.
        let contexts: [String?] = context.isEmpty ? [nil] : context.map(Optional.some)
        var clients: [KubeClient] = []
        var clusters: [AuditGathering.Cluster] = []
        for context in contexts {
            let client: KubeClient
            do {
                let connection = try ConnectionResolver.resolve(
                    kubeconfig: kubeconfig, context: context, environment: ProcessInfo.processInfo.environment,
                    homeDirectory: FileManager.default.homeDirectoryForCurrentUser.path)
                client = try await KubeClient.connect(connection, logger: logger)
            } catch {
                for client in clients { await client.shutdown() }
                throw .clusterConfiguration((error as? KubeError)?.description ?? "\(error)")
            }
            clients.append(client)
            var pipeline = settings.pipeline
            if let context, self.context.count > 1 || clusterName == nil { pipeline.clusterName = context }
            clusters.append(AuditGathering.Cluster(name: pipeline.clusterName, reader: FluxAPI(client: client), settings: pipeline))
        }
        let gathering = AuditGathering(
            clusters: clusters, ledger: openedLedger, forges: noForge ? nil : LiveForges(),
            forgeOptions: ForgeOptions(logger: logger, pacingDirectory: settings.pipeline.cacheDirectory),
            repositories: { cluster in
                MirrorRepositories(
                    localPaths: cluster.settings.repositories, cacheDirectory: cluster.settings.cacheDirectory,
                    cluster: cluster.reader, logger: logger)
            },
            since: start, until: end, now: now, logger: logger)
        let (input, problems) = await gathering.gather()
        for client in clients { await client.shutdown() }
        await openedLedger?.close()
        if input.clusters.isEmpty {
            throw .clusterUnreadable(problems.map(\.description).joined(separator: "; "))
        }
        let report = Audit.report(input)
        let text: String
        switch Format(rawValue: format) ?? .md {
        case .md: text = MarkdownReport.render(report)
        case .json: text = JSONReport.render(report)
        case .csv: text = CSVReport.render(report)
        case .html: text = HTMLReport.render(report)
        case .devlake: text = DevLakeReport.render(report, environment: devlakeEnvironment)
        }
        if let output {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                throw .settings("--output \(output): cannot write the report (\(error.localizedDescription)); give a writable path")
            }
            logger.info("report written to \(output)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        var failed = false
        if let url = pushDevlake {
            let payloads = DevLakeReport.payloads(report, environment: devlakeEnvironment)
            let (accepted, failures) = await DevLakePush.push(
                payloads, to: url, apiKey: ProcessInfo.processInfo.environment["DEVLAKE_API_KEY"])
            for failure in failures { logger.error("\(failure.description)") }
            logger.info("posted \(accepted) of \(payloads.count) deployments to DevLake")
            failed = !failures.isEmpty
        }
        for line in ProblemLine.lines(problems) {
            if line.severity == Problem.Severity.note.rawValue { logger.notice("\(line.text)") } else { logger.error("\(line.text)") }
        }
        let k = report.clusters.reduce(0) { $0 + $1.kustomizations.count }
        let deployments = report.clusters.flatMap(\.kustomizations).reduce(0) { $0 + $1.deployments.count }
        logger.info("audited \(k) Kustomizations in \(report.clusters.count) cluster(s): \(deployments) deployments in the window")
        if failed || problems.contains(where: { $0.severity == .failure }) { throw .finishedWithFailures }
    }
}
