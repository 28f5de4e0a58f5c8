import ArgumentParser
import Forges
import Foundation
import Kube
import Ledger
import Operations
import Reconcile

/// The flags `sync` and `plan` share. Each overrides the same key of `--config`.
struct SyncOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var selection: SelectionOptions

    @Option(help: "This cluster's name, for {cluster} in the context template.")
    var clusterName: String?

    @Option(help: "Status context when no Flux Provider applies (default: kustomization/{name}/{cluster}).")
    var contextTemplate: String?

    @Option(help: "Ignore observations and commits older than this: a duration (72h, 7d) or a date (2026-11-01).")
    var since: String?

    // Unconditional parsing, so `--max-writes -3` reaches the range check instead of reading as a flag.
    @Option(parsing: .unconditional, help: "Write at most this many statuses per run, newest commits first.")
    var maxWrites: Int?

    @Option(help: "Commits between applied revisions: none (what notification-controller does) or deployed.")
    var intermediate: String?

    @Flag(help: "notification-controller runs with --no-cross-namespace-refs: Alerts route only their own namespace's events.")
    var noCrossNamespaceRefs = false

    @OptionGroup var mirrors: MirrorOptions

    @Option(help: "Write pacing per forge repository, writes a minute (0 = unlimited; default: the forge's own limit).")
    var writesPerMinute: Double?

    @Option(help: "Record the run in a ledger: sqlite:PATH or postgres://USER@HOST:PORT/DB (password from PGPASSWORD or the URL).")
    var ledger: String?

    @Option(help: "With --ledger: at the end of each run, delete ledger records older than this (400d, 8w; default: keep everything).")
    var ledgerRetention: String?

    @Option(help: "Log lines on stderr: human or json.")
    var logFormat: String = "human"

    @Option(help: "Also record what Flux deployed as forge deployments: github or gitlab (docs/deployments.md).")
    var deployments: String?

    @Option(help: "Deployment environment per Kustomization, with {cluster}, {namespace}, {name} (default: {cluster}/{name}).")
    var environmentTemplate: String?

    @Option(help: "Write commit statuses (default true); --statuses=false writes deployments only.")
    var statuses: Bool?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds of retrying (backoff and failed attempts) allowed per forge in one run; "
                + "then the rest waits for the next run (default 120)."))
    var retryBudget: Double?

    @Option(help: "Push the run's metrics to this Prometheus Pushgateway (group job=fluxstamp, cluster=<cluster name>).")
    var pushgateway: String?

    @Option(help: "Write the run's metrics to this file, atomically (node-exporter textfile collector: a *.prom file).")
    var metricsFile: String?

    @Option(
        help:
            "Post new deployments and statuses corrected or backfilled to this URL (repeatable; also FLUXSTAMP_NOTIFY_WEBHOOK)."
    )
    var notifyWebhook: [String] = []

    @Option(help: "Notification format: json, cloudevents or slack.")
    var notifyFormat: String?

    @Option(help: "Without --ledger: a deployment is new when Flux reported it within this long (the CronJob's interval; default 5m).")
    var notifyWindow: String?

    @Option(help: "Work on this share of the repositories, i/n (default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS of an Indexed Job).")
    var shard: String?

    // The shared groups' flags, read by the settings as if declared here.
    var config: String? { selection.config }
    var namespace: String? { selection.namespace }
    var selector: String? { selection.selector }
    var name: [String] { selection.name }
    var cacheDir: String? { mirrors.cacheDir }
    var repositories: [String] { mirrors.repositories }
}

/// The settings of one run, after merging `--config` with the flags and checking them.
struct SyncSettings {
    var cluster: ClusterOptions
    /// The ledger URL, checked (nil: no ledger).
    var ledger: LedgerURL?
    /// How long the ledger keeps records (nil: forever).
    var ledgerRetention: TimeInterval?
    var pipeline: PipelineSettings
    var logFormat: LogFormat
    /// Seconds of retrying allowed per forge in one run (`ForgeOptions.retryBudget`).
    var retryBudget: Double = 120
    /// Where metrics are pushed and written (nil: not).
    var pushgateway: String?
    var metricsFile: String?
    /// Notification webhooks, their format, and (without a ledger) the window of new deployments.
    var notifyWebhooks: [String] = []
    var notifyFormat = NotificationFormat.json
    var notifyWindow: TimeInterval = 300
    /// This pod's shard (`--shard i/n`), nil when not sharded; the metrics carry it as a label.
    var shardIndex: Int?

    /// Merges and checks; every problem is one `SettingsError` line naming the flag or the config
    /// file and key (the commands exit 2 on it, having written nothing).
    init(_ options: SyncOptions, now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let config =
            try options.config.map { path -> FluxstampConfig in
                do { return try FluxstampConfig.load(path: path) } catch let error as ConfigError {
                    throw SettingsError(error.description)
                }
            } ?? FluxstampConfig()
        // Where a value came from, for the message: the flag, or the config file and key.
        func source(_ flag: Any?, _ key: String) -> String {
            flag != nil ? "--\(key.kebabCased)" : "config \(options.config ?? ""): \(key)"
        }
        guard let logFormat = LogFormat(rawValue: options.logFormat) else {
            throw SettingsError("--log-format '\(options.logFormat)': use human or json")
        }
        self.logFormat = logFormat
        if let text = options.ledger ?? config.ledger {
            do { ledger = try LedgerURL(text) } catch {
                throw SettingsError("\(source(options.ledger, "ledger")): \(error)")
            }
        }
        if let text = options.ledgerRetention ?? config.ledgerRetention {
            guard let retention = RunLedger.retention(text) else {
                throw SettingsError(
                    "\(source(options.ledgerRetention, "ledgerRetention")) '\(text)' is not a duration; "
                        + "write a positive number of days or weeks (400d, 8w), or leave it out to keep everything")
            }
            ledgerRetention = retention
        }
        cluster = options.cluster
        pushgateway = options.pushgateway ?? config.pushgateway
        if let pushgateway {
            guard let url = URL(string: pushgateway), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw SettingsError(
                    "\(source(options.pushgateway, "pushgateway")) '\(pushgateway)': use an http(s) URL such as http://pushgateway:9091")
            }
        }
        metricsFile = options.metricsFile ?? config.metricsFile
        notifyWebhooks = options.notifyWebhook + (config.notifyWebhooks ?? []) + [environment["FLUXSTAMP_NOTIFY_WEBHOOK"]].compactMap { $0 }
        for url in notifyWebhooks {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                // The URL itself is not repeated: a Slack webhook's path is a secret.
                throw SettingsError(
                    "a notification webhook is not an http(s) URL; check --notify-webhook, notifyWebhooks and FLUXSTAMP_NOTIFY_WEBHOOK")
            }
        }
        if let text = options.notifyFormat ?? config.notifyFormat {
            guard let format = NotificationFormat(rawValue: text) else {
                throw SettingsError("\(source(options.notifyFormat, "notifyFormat")) '\(text)': use json, cloudevents or slack")
            }
            notifyFormat = format
        }
        if let text = options.notifyWindow ?? config.notifyWindow {
            guard let window = GoDuration.parse(text), window > .zero else {
                throw SettingsError("\(source(options.notifyWindow, "notifyWindow")) '\(text)' is not a positive duration such as 5m")
            }
            notifyWindow = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        }
        let selector = (options.selector ?? config.selector).flatMap { $0.isEmpty ? nil : $0 }
        if let selector {
            do { try FluxAPI.validateLabelSelector(selector) } catch {
                throw SettingsError("\(source(options.selector, "selector")): \(error)")
            }
        }
        let contextTemplate = options.contextTemplate ?? config.contextTemplate ?? "kustomization/{name}/{cluster}"
        let unknownPlaceholders = contextTemplate.matches(of: /\{([^}]*)\}/).map { String($0.1) }
            .filter { !["name", "cluster", "namespace"].contains($0) }
        if let bad = unknownPlaceholders.first {
            throw SettingsError(
                "\(source(options.contextTemplate, "contextTemplate")) '\(contextTemplate)': "
                    + "unknown placeholder {\(bad)}; use {name}, {namespace} and {cluster}"
            )
        }
        let intermediateText = options.intermediate ?? config.intermediate ?? "none"
        guard let intermediate = PlanPolicy.Intermediate(rawValue: intermediateText) else {
            throw SettingsError("\(source(options.intermediate, "intermediate")) '\(intermediateText)': use none or deployed")
        }
        var since: Date?
        if let text = options.since ?? config.since {
            guard let date = Horizon.parse(text, now: now) else {
                throw SettingsError(
                    "\(source(options.since, "since")) '\(text)' is neither a duration (90m, 72h, 7d, 2w) nor a date (2026-11-01)")
            }
            since = date
        }
        let maxWrites = options.maxWrites ?? config.maxWrites
        if let maxWrites, maxWrites < 0 {
            throw SettingsError("\(source(options.maxWrites, "maxWrites")) must be 0 or more (got \(maxWrites))")
        }
        var repositories: [String: String] = [:]
        for entry in config.repositories ?? [] { repositories[entry.url] = entry.path }
        for mapping in options.repositories {
            guard let eq = mapping.lastIndex(of: "="), eq != mapping.startIndex else {
                throw SettingsError("--repo '\(mapping)': expected URL=PATH")
            }
            repositories[String(mapping[..<eq])] = String(mapping[mapping.index(after: eq)...])
        }
        var forges: [PipelineSettings.Forge] = []
        for forge in config.forges ?? [] {
            var kind: ForgeKind?
            if let type = forge.type {
                guard let known = ForgeKind(providerType: type) else {
                    throw SettingsError(
                        "config \(options.config ?? ""): forges: host \(forge.host): unknown type "
                            + "'\(type)'; use github, gitlab, gitea, bitbucket, bitbucketserver or azuredevops"
                    )
                }
                kind = known
            }
            forges.append(
                PipelineSettings.Forge(
                    host: forge.host, kind: kind, apiBaseURL: forge.apiBaseURL, tokenFile: forge.tokenFile,
                    writesPerMinute: forge.writesPerMinute))
        }
        pipeline = PipelineSettings(
            namespace: (options.namespace ?? config.namespace).flatMap { $0.isEmpty ? nil : $0 }, selector: selector,
            names: Set(options.name), clusterName: options.clusterName ?? config.clusterName ?? "default",
            contextTemplate: contextTemplate, policy: PlanPolicy(intermediate: intermediate, since: since, maxWrites: maxWrites),
            cacheDirectory: options.cacheDir ?? config.cacheDir ?? GitOptions.defaultCacheDirectory, repositories: repositories,
            forges: forges, writesPerMinute: options.writesPerMinute, environmentToken: environment["FLUXSTAMP_FORGE_TOKEN"])
        pipeline.noCrossNamespaceRefs = options.noCrossNamespaceRefs || (config.noCrossNamespaceRefs ?? false)
        pipeline.statuses = options.statuses ?? config.statuses ?? true
        pipeline.deployments = try Self.deploymentSettings(options, config, ledger: ledger, source: source)
        if !pipeline.statuses, pipeline.deployments == nil {
            throw SettingsError("\(source(options.statuses, "statuses")) false writes nothing without --deployments github|gitlab")
        }
        if let budget = options.retryBudget {
            guard budget >= 0, budget.isFinite else { throw SettingsError("--retry-budget must be 0 or more seconds (got \(budget))") }
            retryBudget = budget
        }
        pipeline.shard = try Shard.setting(flag: options.shard, environment: environment)
        shardIndex = pipeline.shard?.index
    }
}

/// A setting that cannot be used: one line, exit 2, nothing written.
struct SettingsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    /// `maxWrites` → `max-writes`, for naming the flag behind a setting.
    var kebabCased: String {
        var out = ""
        for c in self {
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
