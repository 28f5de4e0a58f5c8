import Forges
import Foundation
import Reconcile

extension SyncSettings {
    /// `--deployments` / `deployments` with its environment settings, checked; nil when off.
    static func deploymentSettings(
        _ options: SyncOptions, _ config: FluxstampConfig, source: (Any?, String) -> String
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
        return DeploymentSettings(
            forge: forge, environmentTemplate: template, rules: rules, productionEnvironments: Set(config.productionEnvironments ?? []),
            environmentURL: config.environmentURL, logURL: config.deploymentLogURL)
    }
}
