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

    @OptionGroup var selection: SelectionOptions

    @Option(help: "The cluster's name in the report and the ledger (default: config clusterName, else the context's name).")
    var clusterName: String?

    @Option(help: "Start of the window: a duration before now (30d, 72h) or a date (2026-11-01).")
    var since: String = "30d"

    @Option(help: "End of the window: a date or a duration before now (default: now).")
    var until: String?

    @Option(help: "Read earlier runs' observations from a ledger: sqlite:PATH or postgres://USER@HOST:PORT/DB.")
    var ledger: String?

    @Option(
        help: "Report on a cluster from the ledger alone, without contacting it (repeatable; 'all': every cluster in the ledger).")
    var cluster: [String] = []

    @OptionGroup var mirrors: MirrorOptions

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
        if !cluster.isEmpty, ledger == nil, selection.config == nil {
            throw ValidationError("--cluster reads the ledger: give --ledger (a PostgreSQL ledger many clusters share, or SQLite)")
        }
        if !cluster.isEmpty, !context.isEmpty {
            throw ValidationError("--cluster reads clusters from the ledger alone: leave out --context")
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
        var arguments = ["--since", since, "--log-format", logFormat] + selection.arguments + mirrors.arguments
        if let clusterName { arguments += ["--cluster-name", clusterName] }
        if let ledger { arguments += ["--ledger", ledger] }
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
        let (input, problems) =
            cluster.isEmpty
            ? try await gatherFromClusters(settings: settings, ledger: openedLedger, since: start, until: end, now: now, logger: logger)
            : try await readFromLedger(openedLedger, since: start, until: end, now: now)
        let report = Audit.report(input)
        try write(report, logger: logger)
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
        if failed || problems.contains(where: { $0.severity == .failure }) { throw .finishedWithFailures }
    }

    /// `--cluster`: the named clusters (or all) from the ledger alone, without contacting them.
    func readFromLedger(_ ledger: Ledger?, since: Date, until: Date, now: Date) async throws(CommandError) -> (AuditInput, [Problem]) {
        guard let ledger else { throw .settings("--cluster reads the ledger: give --ledger or ledger in --config") }
        let clusters: [ClusterFacts]
        do {
            clusters = try await LedgerRecords.clusters(ledger, names: cluster.contains("all") ? [] : cluster)
        } catch {
            await ledger.close()
            throw .settings("\(error)")
        }
        await ledger.close()
        return (AuditInput(since: since, until: until, now: now, clusters: clusters, histories: [:]), [])
    }

    /// Every --context (or the current one): cluster, ledger, git and forges.
    func gatherFromClusters(
        settings: SyncSettings, ledger openedLedger: Ledger?, since start: Date, until end: Date, now: Date, logger: Logger
    ) async throws(CommandError) -> (AuditInput, [Problem]) {
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
            // Several clusters are named after their contexts; one keeps the name `sync` records in
            // the ledger (--cluster-name or config clusterName) when it has one.
            if let context, self.context.count > 1 || pipeline.clusterName == "default" { pipeline.clusterName = context }
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
        return (input, problems)
    }

    /// Renders the report in the chosen format to `--output` or standard output, and logs a summary.
    func write(_ report: AuditReport, logger: Logger) throws(CommandError) {
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
        let k = report.clusters.reduce(0) { $0 + $1.kustomizations.count }
        let deployments = report.clusters.flatMap(\.kustomizations).reduce(0) { $0 + $1.deployments.count }
        logger.info("audited \(k) Kustomizations in \(report.clusters.count) cluster(s): \(deployments) deployments in the window")
    }
}
