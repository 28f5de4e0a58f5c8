import Forges
import Foundation
import Ledger
import Logging
import Reconcile

extension SyncSettings {
    /// `--deployments` / `deployments` with its environment settings, checked; nil when off.
    static func deploymentSettings(
        _ options: SyncOptions, _ config: FluxstampConfig, ledger: LedgerURL?, source: (Any?, String) -> String
    ) throws -> DeploymentSettings? {
        guard let mode = options.deployments ?? config.deployments, mode != "off", !mode.isEmpty else { return nil }
        guard let forge = ForgeKind(rawValue: mode), forge == .github || forge == .gitlab else {
            throw SettingsError("\(source(options.deployments, "deployments")) '\(mode)': use github or gitlab (or off)")
        }
        let template = options.environmentTemplate ?? config.environmentTemplate ?? "{cluster}/{name}"
        for text in [template] + (config.environments ?? []).map(\.environment) {
            let unknown = text.matches(of: /\{([^}]*)\}/).map { String($0.1) }.filter { !["name", "cluster", "namespace"].contains($0) }
            if let bad = unknown.first {
                throw SettingsError(
                    "\(source(options.environmentTemplate, "environmentTemplate")) '\(text)': unknown placeholder {\(bad)}; "
                        + "use {name}, {namespace} and {cluster}")
            }
        }
        let rules = (config.environments ?? []).map {
            DeploymentSettings.Rule(match: $0.kustomizations, environment: $0.environment, production: $0.production ?? false)
        }
        var settings = DeploymentSettings(
            forge: forge, environmentTemplate: template, rules: rules, productionEnvironments: Set(config.productionEnvironments ?? []),
            environmentURL: config.environmentURL, logURL: config.deploymentLogURL)
        if let ledger { settings.earlierObservations = { cluster, since in try await earlierObservations(ledger, cluster, since) } }
        return settings
    }

    /// What the ledger recorded of the cluster, as observations: the recorded time, else when the
    /// ledger first saw the fact; reported last when it last saw it. For status planning
    /// (`lastSightingDecides`), a fact's time is when a run last saw it: the ledger keeps the
    /// earliest time of each (revision, outcome), so a commit that failed and then recovered would
    /// otherwise read as failed; the outcome seen last is the one that held.
    static func earlierObservations(
        _ url: LedgerURL, _ cluster: String, _ since: Date?, lastSightingDecides: Bool = false
    ) async throws -> [Observation] {
        let ledger = try await Ledger.open(url, logger: Logger(label: "fluxstamp.ledger", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { Task { await ledger.close() } }
        return try await ledger.observations(cluster: cluster, since: since).map { stored in
            let r = stored.record
            return Observation(
                kustomization: KustomizationID(namespace: r.namespace, name: r.name), revision: r.revision,
                outcome: r.outcome == .succeeded ? .succeeded : .failed, reason: r.reason, message: r.message,
                time: lastSightingDecides ? stored.lastSeen : r.time ?? stored.firstSeen, origin: .ledger, reportedAt: stored.lastSeen)
        }
    }
}
