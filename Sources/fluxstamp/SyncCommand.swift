import ArgumentParser
import Forges
import Foundation
import Kube
import Logging
import Reconcile
import Synchronization

/// `fluxstamp sync`: make the forge's commit statuses match what Flux has deployed.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Observe the cluster, compute the statuses that should exist, and write only the difference.",
        discussion:
            "Exit codes: 0 converged; 1 some writes failed or some inputs were unusable "
                + "(the rest was done); 2 bad usage or configuration (nothing written)."
    )

    @OptionGroup var options: SyncOptions

    @Flag(help: "Plan only: print what would be written (same as `fluxstamp plan`).")
    var dryRun = false

    @Flag(help: "With --dry-run, print the plan as JSON.")
    var json = false

    func validate() throws {
        if json && !dryRun { throw ValidationError("--json prints a plan: use it with --dry-run, or use fluxstamp plan --json") }
    }

    func run() async throws {
        try await SyncCommand.execute(options: options, dryRun: dryRun, json: json)
    }

    /// Runs the pipeline with the merged settings and renders what it returns.
    static func execute(options: SyncOptions, dryRun: Bool, json: Bool) async throws(CommandError) {
        let started = Date()
        let settings: SyncSettings
        do { settings = try SyncSettings(options) } catch {
            throw .settings("\(error)")
        }
        settings.logFormat.bootstrap()
        let logger = Logger(label: "fluxstamp")
        let end = RunEnd(settings: settings, started: started, logger: logger)
        // A run that stops before the pipeline starts still exports `run_success 0` (and keeps the
        // last success time), so a dashboard shows the failing run, not only the missing successes.
        let ledger: RunLedger?
        if let url = settings.ledger {
            do {
                ledger = try await RunLedger.begin(
                    url, cluster: settings.pipeline.clusterName, retention: settings.ledgerRetention, logger: logger)
            } catch {
                await end.finish(nil, forges: ForgeHealthRegistry(), dryRun: dryRun)
                throw error
            }
        } else {
            ledger = nil
        }
        let client: KubeClient
        do { client = try await settings.cluster.connect(logger: logger) } catch {
            await end.finish(nil, forges: ForgeHealthRegistry(), dryRun: dryRun)
            throw .clusterConfiguration(error.description)
        }
        let api = FluxAPI(client: client)
        var pipelineSettings = settings.pipeline
        if let url = settings.ledger {
            pipelineSettings.earlierObservations = { cluster, since in
                try await SyncSettings.earlierObservations(url, cluster, since, lastSightingDecides: true)
            }
        }
        let pipeline = Pipeline(
            settings: pipelineSettings, cluster: api,
            repositories: MirrorRepositories(
                localPaths: settings.pipeline.repositories, cacheDirectory: settings.pipeline.cacheDirectory,
                cluster: api, logger: logger),
            // One set of options per run: the forges' breaker, retry budget and health live in it;
            // write times are kept in the cache directory so consecutive runs share the hourly window.
            forgeOptions: ForgeOptions(
                logger: logger, retryBudget: settings.retryBudget, pacingDirectory: settings.pipeline.cacheDirectory),
            logger: logger)
        var report: Pipeline.Report
        do {
            let bar = ProgressBar(json: settings.logFormat == .json)
            let interrupt = Interruption(logger: logger)
            report = try await pipeline.run(
                dryRun: dryRun,
                progress: {
                    bar.update(done: $0, total: $1)
                    interrupt.record(done: $0, total: $1)
                },
                finished: { interrupt.record($0) })
            interrupt.disarm()
        } catch {
            await client.shutdown()
            await end.finish(nil, forges: pipeline.forgeOptions.health, dryRun: dryRun)
            throw Problem.refusesCredential(error) ? .clusterRefused(error.description) : .clusterUnreadable(error.description)
        }
        await client.shutdown()
        let news = await end.news(report, ledger: ledger, dryRun: dryRun)
        if let ledger, let problem = await ledger.finish(report, dryRun: dryRun) { report.problems.append(problem) }
        for line in ProblemLine.lines(report.problems + report.failedWrites.map(\.problem)) {
            if line.severity == Problem.Severity.note.rawValue { logger.notice("\(line.text)") } else { logger.error("\(line.text)") }
        }
        if report.kustomizations == 0 {
            let scope = [
                settings.pipeline.namespace.map { "namespace \($0)" } ?? "all namespaces",
                settings.pipeline.selector.map { "selector \($0)" },
                settings.pipeline.names.isEmpty ? nil : "names \(settings.pipeline.names.sorted().joined(separator: ", "))",
            ]
            logger.notice("no Kustomization matched (\(scope.compactMap { $0 }.joined(separator: ", "))): nothing was observed")
        }
        if dryRun {
            print(json ? Rendering.json(PlanDocument(report)) : PlanTable.render(report), terminator: "")
        }
        let summary = Summary(report, dryRun: dryRun)
        logger.info("\(summary.line)", metadata: settings.logFormat == .json ? summary.metadata : [:])
        await end.notify(news)
        await end.finish(report, forges: pipeline.forgeOptions.health, dryRun: dryRun)
        if report.hasFailures { throw report.credentialRefused ? .credentialRefused : .finishedWithFailures }
    }
}

/// `fluxstamp plan`: what `sync` would write, as a table or JSON (same as `sync --dry-run`).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what sync would write (the same as sync --dry-run), as a table or JSON.")

    @OptionGroup var options: SyncOptions

    @Flag(help: "Print the plan as JSON (schema: docs/json.md).")
    var json = false

    func run() async throws {
        try await SyncCommand.execute(options: options, dryRun: true, json: json)
    }
}

extension WriteResult {
    /// A failed write as a problem (one line per distinct error when printed).
    var problem: Problem {
        error.map { Problem(write.target.repository, $0, stage: .apply) } ?? Problem(write.target.repository, "", stage: .apply)
    }
}

extension Summary {
    /// The summary as log fields: numbers as numbers.
    var metadata: Logger.Metadata {
        var fields: Logger.Metadata = [
            "kustomizations": .stringConvertible(kustomizations), "observed": .stringConvertible(observed),
            "considered": .stringConvertible(considered), "planned": .stringConvertible(planned),
            "unchanged": .stringConvertible(unchanged),
            "skipped": .stringConvertible(skipped), "problems": .stringConvertible(problems),
        ]
        if let written { fields["written"] = .stringConvertible(written) }
        if let failed { fields["failed"] = .stringConvertible(failed) }
        // --deployments: the deployment figures beside the status figures, numbers as numbers.
        let deployments: [(String, Int?)] = [
            ("deploymentsPlanned", deploymentsPlanned), ("deploymentsWritten", deploymentsWritten),
            ("deploymentsFailed", deploymentsFailed), ("deploymentsUnchanged", deploymentsUnchanged),
            ("deploymentsOverBudget", deploymentsOverBudget),
        ]
        for (key, value) in deployments { if let value { fields[key] = .stringConvertible(value) } }
        return fields
    }
}

/// Kubernetes stops a Job's pod with SIGTERM at `activeDeadlineSeconds` (and on eviction): the run
/// still ends with one line per distinct problem so far (with counts) and a summary line saying how
/// far it got, then exits 143 as a terminated process would. Writes already sent stay; the next
/// run reads the forge and continues.
final class Interruption: Sendable {
    private let state = Mutex((done: 0, total: 0, armed: true, failed: [Problem]()))
    // Set up once in init and only resumed there; Dispatch serialises its handler.
    private nonisolated(unsafe) let source: DispatchSourceSignal
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        signal(SIGTERM, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { [weak self] in self?.terminate() }
        source.resume()
    }

    private func terminate() {
        let (done, total, armed, failed) = state.withLock { ($0.done, $0.total, $0.armed, $0.failed) }
        guard armed else { return }
        for line in ProblemLine.lines(failed) { logger.error("\(line.text)") }
        let written = max(0, done - failed.count)
        let progress =
            total == 0
            ? "before any write" : "\(done) of \(total) planned writes done (written \(written), failed \(failed.count))"
        logger.error(
            "interrupted by SIGTERM: \(progress); the next run reads the forge and writes the rest",
            metadata: [
                "written": .stringConvertible(written), "failed": .stringConvertible(failed.count),
                "planned": .stringConvertible(total),
            ])
        exit(143)
    }

    /// Keeps a failed write's problem, to print with the others if the run is interrupted.
    func record(_ result: WriteResult) {
        guard result.error != nil else { return }
        state.withLock { $0.failed.append(result.problem) }
    }

    func record(done: Int, total: Int) {
        state.withLock {
            $0.done = done; $0.total = total
        }
    }

    /// The run finished: a late SIGTERM no longer interrupts anything worth reporting.
    func disarm() {
        state.withLock { $0.armed = false }
        signal(SIGTERM, SIG_DFL)
    }
}
