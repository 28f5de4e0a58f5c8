import Foundation

/// The DORA four over a window (definitions in docs/audit.md, section "DORA figures").
public enum DORA {
    /// Figures with no deployment at all.
    static let empty = DORAFigures(
        deployments: 0, failedDeployments: 0, days: 0, deploymentsPerDay: 0, leadTimeSamples: 0, leadTimeMedianSeconds: nil,
        leadTimeP90Seconds: nil, changeFailureRate: nil, restoreSamples: 0, timeToRestoreMedianSeconds: nil)

    /// Pools the deployments, lead times and restores of `kustomizations` (already limited to the window).
    public static func figures(_ kustomizations: [KustomizationReport], since: Date, until: Date) -> DORAFigures {
        var succeeded = 0, failed = 0
        var leads: [Double] = []
        var restores: [Double] = []
        for k in kustomizations {
            for deployment in k.deployments where deployment.changed {
                switch deployment.outcome {
                case .succeeded:
                    succeeded += 1
                    leads += deployment.commits.compactMap { $0.leadTimeSeconds.map(Double.init) }
                case .failed:
                    failed += 1
                }
            }
            restores += k.failures.compactMap { $0.timeToRestoreSeconds.map(Double.init) }
        }
        let days = max(until.timeIntervalSince(since), 0) / 86_400
        return DORAFigures(
            deployments: succeeded, failedDeployments: failed, days: days,
            deploymentsPerDay: days > 0 ? Double(succeeded) / days : 0,
            leadTimeSamples: leads.count, leadTimeMedianSeconds: median(leads), leadTimeP90Seconds: percentile(90, of: leads),
            changeFailureRate: succeeded + failed > 0 ? Double(failed) / Double(succeeded + failed) : nil,
            restoreSamples: restores.count, timeToRestoreMedianSeconds: median(restores))
    }

    /// The median: the middle value, or the mean of the two middle values of an even count.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile: the smallest value with at least `p`% of the values at or below it.
    public static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
