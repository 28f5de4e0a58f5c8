import ArgumentParser
import Foundation
import Kube
import Logging
import Operations
import Reconcile

/// `fluxstamp wait`: a CI gate that ends when Flux has deployed a commit, or failed to.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until the Kustomizations that deploy a commit are Ready at a revision that includes it.",
        discussion:
            "Waits for the selected Kustomizations whose tracked branch contains the commit and whose path it touches "
            + "(--all: whatever it touches). A later revision that includes the commit counts as deployed. "
            + "Exit codes: 0 deployed (or nothing deploys it); 1 a Kustomization failed at a revision including "
            + "the commit, the timeout passed, or the commit is in no repository; 2 bad usage or configuration. "
            + "Recipes: docs/ci-gate.md."
    )

    @Argument(help: "The commit: a sha (full or abbreviated) or a Flux revision such as main@sha1:<sha>.")
    var commit: String

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var selection: SelectionOptions

    @OptionGroup var mirrors: MirrorOptions

    @Option(help: "Log lines on stderr: human or json.")
    var logFormat: String = "human"

    @Option(help: "Give up after this long (Go duration: 90s, 15m, 1h).")
    var timeout: String = "15m"

    @Option(help: "Time between two reads of the cluster (Go duration).")
    var pollInterval: String = "10s"

    @Flag(help: "Wait for every selected Kustomization whose branch contains the commit, even those whose path it does not touch.")
    var all = false

    @Flag(help: "Print the outcome as JSON on stdout (schema: docs/ci-gate.md).")
    var json = false

    func run() async throws {
        guard let timeout = GoDuration.parse(timeout), timeout > .zero else {
            throw CommandError.settings("--timeout '\(self.timeout)' is not a positive duration such as 90s, 15m or 1h")
        }
        guard let poll = GoDuration.parse(pollInterval), poll > .zero else {
            throw CommandError.settings("--poll-interval '\(pollInterval)' is not a positive duration such as 500ms, 10s or 1m")
        }
        guard CommitWait.commitSpec(commit) != nil else {
            throw CommandError.git(
                "'\(commit)' is neither a commit sha nor a Flux revision (main@sha1:<sha>); give the commit to wait for", usage: true)
        }
        let settings: SyncSettings
        do { settings = try SyncSettings(syncOptions()) } catch { throw CommandError.settings("\(error)") }
        settings.logFormat.bootstrap()
        let logger = Logger(label: "fluxstamp")
        let client: KubeClient
        do { client = try await settings.cluster.connect(logger: logger) } catch {
            throw CommandError.clusterConfiguration(error.description)
        }
        let api = FluxAPI(client: client)
        let wait = CommitWait(
            commit: commit, settings: settings.pipeline, all: all, timeout: timeout, pollInterval: poll, cluster: api,
            repositories: MirrorRepositories(
                localPaths: settings.pipeline.repositories, cacheDirectory: settings.pipeline.cacheDirectory, cluster: api,
                logger: logger),
            logger: logger)
        let outcome: CommitWait.Outcome
        do { outcome = try await wait.run() } catch {
            await client.shutdown()
            switch error {
            case .cluster(let text): throw CommandError.clusterUnreadable(text)
            case .commitNotFound(let text): throw CommandError.git(text, usage: false)
            case .badCommit(let text): throw CommandError.git(text, usage: true)
            }
        }
        await client.shutdown()
        for skipped in outcome.notWaited { logger.notice("not waiting for \(skipped.kustomization): \(skipped.why)") }
        if json { print(Rendering.json(WaitDocument(outcome, timeout: self.timeout)), terminator: "") }
        let short = String(outcome.sha.prefix(7))
        if outcome.waited.isEmpty {
            logger.notice("no selected Kustomization deploys \(short.isEmpty ? commit : short): nothing to wait for")
            return
        }
        for failure in outcome.failures { logger.error("\(failure.kustomization) \(failure.state)") }
        if !outcome.failures.isEmpty { throw CommandError.finishedWithFailures }
        if outcome.timedOut {
            for pending in outcome.pending {
                logger.error("timed out after \(self.timeout) waiting for \(pending.kustomization) to deploy \(short): \(pending.state)")
            }
            throw CommandError.finishedWithFailures
        }
        let names = outcome.waited.map { "\($0.kustomization)" }.joined(separator: ", ")
        logger.info("\(short) is deployed by \(names)")
    }
}

extension WaitCommand {
    /// The `sync` options wait shares (selection, cluster, mirrors, logs), every other one at its
    /// default: the settings are then merged with `--config` and checked exactly as for `sync`.
    func syncOptions() throws -> SyncOptions {
        var options = try SyncOptions.parse(selection.arguments + mirrors.arguments + ["--log-format", logFormat])
        options.cluster = cluster
        return options
    }
}

/// `fluxstamp wait --json`: the outcome, for a CI step to read.
struct WaitDocument: Encodable {
    struct Entry: Encodable {
        var namespace: String
        var name: String
        var state: String
        var revision: String?
        var reason: String?
        var message: String?
        var pending: String?
    }

    struct Skipped: Encodable {
        var namespace: String
        var name: String
        var why: String
    }

    /// `deployed`, `failed`, `timeout`, or `nothing` (no selected Kustomization deploys the commit).
    var result: String
    var commit: String
    var timeout: String
    var kustomizations: [Entry]
    var notWaited: [Skipped]

    init(_ outcome: CommitWait.Outcome, timeout: String) {
        result =
            outcome.waited.isEmpty ? "nothing" : !outcome.failures.isEmpty ? "failed" : outcome.timedOut ? "timeout" : "deployed"
        commit = outcome.sha
        self.timeout = timeout
        kustomizations = outcome.waited.map { id, state in
            var entry = Entry(namespace: id.namespace, name: id.name, state: "pending")
            switch state {
            case .deployed(let revision):
                entry.state = "deployed"
                entry.revision = revision
            case .failed(let revision, let reason, let message):
                entry.state = "failed"
                entry.revision = revision
                entry.reason = reason
                entry.message = message
            case .pending(let why): entry.pending = why
            }
            return entry
        }
        notWaited = outcome.notWaited.map { Skipped(namespace: $0.kustomization.namespace, name: $0.kustomization.name, why: $0.why) }
    }
}
