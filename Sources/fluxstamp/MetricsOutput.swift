import Forges
import Foundation
import Logging
import Operations
import Reconcile

/// What a `sync` run leaves for its operators once it ends: its metrics, pushed to a Pushgateway
/// and/or written for node-exporter's textfile collector. Nothing here changes the exit code.
struct RunEnd {
    var settings: SyncSettings
    var started: Date
    var logger: Logger

    /// Exports the metrics of a run that ended (`report` nil: it stopped before planning). Dry runs
    /// (`plan`) export nothing: they are for people, and must not move "last successful run".
    func finish(_ report: Pipeline.Report?, forges: ForgeHealthRegistry, dryRun: Bool, now: Date = Date()) async {
        guard !dryRun, settings.pushgateway != nil || settings.metricsFile != nil else { return }
        let succeeded = report.map { !$0.hasFailures } ?? false
        let metrics = RunMetrics(report: report, forges: forges.reports, started: started, finished: now, succeeded: succeeded)
        if let base = settings.pushgateway {
            let url = MetricsExport.pushURL(base: base, cluster: settings.pipeline.clusterName, shard: settings.shardIndex)
            if await MetricsExport.push(metrics.exposition(lastSuccess: succeeded ? now : nil), to: url, replace: succeeded, logger: logger)
            {
                logger.debug("metrics pushed", metadata: ["url": "\(url)"])
            }
        }
        if let path = settings.metricsFile {
            let lastSuccess = succeeded ? now : MetricsExport.lastSuccess(inFile: path)
            var labels = [("cluster", settings.pipeline.clusterName)]
            if let shard = settings.shardIndex { labels.append(("shard", String(shard))) }
            MetricsExport.write(metrics.exposition(lastSuccess: lastSuccess, labels: labels), to: path, logger: logger)
        }
    }
}
