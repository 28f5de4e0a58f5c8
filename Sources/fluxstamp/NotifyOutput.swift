import Foundation
import Ledger
import Logging
import Operations
import Reconcile

extension RunEnd {
    /// What the run has to tell the notification webhooks, decided before the ledger records this
    /// run's observations (nil: no webhook, or a dry run, which tells nothing).
    ///
    /// "New" means not seen by an earlier run. With a ledger: an observation (Kustomization, commit,
    /// outcome) no earlier run recorded; the first run recorded in a ledger is the baseline and
    /// tells no deployment (it would otherwise announce the whole history). Without a ledger:
    /// one Flux reported within `--notify-window` before now (set it to the CronJob's interval).
    func news(_ report: Pipeline.Report, ledger: RunLedger?, dryRun: Bool, now: Date = Date()) async -> RunNews? {
        guard !dryRun, !settings.notifyWebhooks.isEmpty else { return nil }
        let cluster = settings.pipeline.clusterName
        guard let ledger else {
            return RunNews(report: report, cluster: cluster, time: now, isNew: RunNews.reportedWithin(settings.notifyWindow, of: now))
        }
        do {
            let earlier = try await ledger.ledger.runs(cluster: cluster, limit: 2).filter { $0.id != ledger.run && $0.finished != nil }
            guard !earlier.isEmpty else {
                logger.notice("first run recorded in the ledger for \(cluster): its deployments are the baseline, later runs tell new ones")
                return RunNews(report: report, cluster: cluster, time: now) { _ in false }
            }
            let seen = Set(
                try await ledger.ledger.observations(cluster: cluster).compactMap { stored -> String? in
                    let r = stored.record
                    return r.sha.map { "\(r.namespace)/\(r.name) \($0) \(r.outcome.rawValue)" }
                })
            return RunNews(report: report, cluster: cluster, time: now) { observation in
                guard case .success(let sha) = Revision.parse(observation.revision).flatMap({ $0.commit }) else { return false }
                return !seen.contains("\(observation.kustomization) \(sha) \(observation.outcome.rawValue)")
            }
        } catch {
            // The ledger unreadable: tell only what this run wrote rather than guess what is new.
            logger.warning("notifications: the ledger could not be read (\(error)); only the statuses written are told")
            return RunNews(report: report, cluster: cluster, time: now) { _ in false }
        }
    }

    /// Posts the news to every webhook; a failure is logged, never the run's.
    func notify(_ news: RunNews?) async {
        guard let news else { return }
        guard !news.isEmpty else {
            logger.debug("nothing to notify")
            return
        }
        await Notifier(urls: settings.notifyWebhooks, format: settings.notifyFormat).send(news, logger: logger)
    }
}
