import Forges
import Foundation
import Prometheus
import Reconcile

/// The figures of one `sync` run, as Prometheus gauges (a batch job's metrics describe its last
/// run: gauges, pushed once at the end; the Pushgateway convention). Names and meanings are listed
/// in docs/operate.md.
public struct RunMetrics: Sendable {
    /// Seconds from start to end.
    public var durationSeconds: Double
    /// When the run ended.
    public var finished: Date
    /// Whether it ended without failures (exit 0).
    public var succeeded: Bool
    /// Kustomizations selected (0 when the cluster could not be read).
    public var kustomizations = 0
    /// Observations considered.
    public var observations = 0
    /// Statuses planned.
    public var planned = 0
    /// Statuses written.
    public var written = 0
    /// Desired statuses the forge already showed.
    public var unchanged = 0
    /// Statuses not written, by reason (`commit_missing`, `write_budget`, …).
    public var skipped: [String: Int] = [:]
    /// Writes that failed, by forge kind.
    public var failed: [String: Int] = [:]
    /// Problem lines (unusable inputs), by stage.
    public var problems: [String: Int] = [:]
    /// Forge requests sent, by forge kind and outcome (`2xx`, `4xx`, `rate_limited`, `no_answer`, …).
    public var requests: [Pair: Int] = [:]
    /// Seconds requests were held for rate limits, by forge kind.
    public var rateLimitWaitSeconds: [String: Double] = [:]

    /// A label pair (forge, outcome).
    public struct Pair: Sendable, Hashable {
        /// The forge kind.
        public var forge: String
        /// The outcome.
        public var outcome: String
        /// Creates a pair.
        public init(forge: String, outcome: String) {
            self.forge = forge
            self.outcome = outcome
        }
    }

    /// The figures of a run: `report` is nil when it stopped before planning (the cluster could not
    /// be read); `forges` is the run's `ForgeOptions.health.reports`.
    public init(
        report: Pipeline.Report?, forges: [ForgeHealthRegistry.Report], started: Date, finished: Date, succeeded: Bool
    ) {
        durationSeconds = max(0, finished.timeIntervalSince(started))
        self.finished = finished
        self.succeeded = succeeded
        if let report {
            kustomizations = report.kustomizations
            observations = report.plan.observed
            planned = report.plan.writes.count
            written = report.results.filter { $0.error == nil }.count
            unchanged = report.plan.unchanged
            skipped = Dictionary(grouping: report.plan.skips, by: { Self.labelValue($0.reason.category) }).mapValues(\.count)
            failed = Dictionary(grouping: report.failedWrites, by: { $0.write.target.forge.rawValue }).mapValues(\.count)
            problems = Dictionary(grouping: report.problems, by: \.stage.rawValue).mapValues(\.count)
        }
        for forge in forges {
            for (outcome, count) in forge.requests { requests[Pair(forge: forge.kind.rawValue, outcome: outcome), default: 0] += count }
            rateLimitWaitSeconds[forge.kind.rawValue, default: 0] += forge.rateLimitWaitSeconds
        }
    }

    /// `write budget` → `write_budget`, `commitStatusExpr` → `commit_status_expr`: label values that
    /// read like the metric names beside them.
    static func labelValue(_ text: String) -> String {
        var out = ""
        for c in text {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else if c == " " || c == "-" {
                out += "_"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The Prometheus text exposition (format 0.0.4). `lastSuccess` is the time of the last run that
    /// succeeded (this one, or one before it); nil leaves the metric out, which a Pushgateway POST
    /// keeps from the earlier push. `labels` go on every sample (the metrics file carries the
    /// cluster this way; a push carries it in the grouping key).
    public func exposition(lastSuccess: Date?, labels: [(String, String)] = []) -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, _ value: Double, _ extra: [(String, String)] = []) {
            let all = labels + extra
            let gauge = all.isEmpty ? registry.makeGauge(name: name, help: help) : registry.makeGauge(name: name, labels: all, help: help)
            gauge.set(value)
        }
        gauge("fluxstamp_run_duration_seconds", "Seconds the last run took.", durationSeconds)
        gauge("fluxstamp_run_success", "1 when the last run ended without failures (exit 0), else 0.", succeeded ? 1 : 0)
        gauge("fluxstamp_run_timestamp_seconds", "When the last run ended, in seconds since 1970.", finished.timeIntervalSince1970)
        if let lastSuccess {
            gauge(
                "fluxstamp_last_success_timestamp_seconds", "When a run last ended without failures, in seconds since 1970.",
                lastSuccess.timeIntervalSince1970)
        }
        gauge("fluxstamp_kustomizations_observed", "Kustomizations the last run selected.", Double(kustomizations))
        gauge("fluxstamp_observations", "Observations (revisions and outcomes) the last run considered.", Double(observations))
        gauge("fluxstamp_statuses_planned", "Commit statuses the last run planned to write.", Double(planned))
        gauge("fluxstamp_statuses_written", "Commit statuses the last run wrote.", Double(written))
        gauge("fluxstamp_statuses_unchanged", "Desired commit statuses the forge already showed.", Double(unchanged))
        for (reason, count) in skipped.sorted(by: { $0.key < $1.key }) {
            gauge("fluxstamp_statuses_skipped", "Commit statuses not written, by reason.", Double(count), [("reason", reason)])
        }
        for (forge, count) in failed.sorted(by: { $0.key < $1.key }) {
            gauge("fluxstamp_statuses_failed", "Commit status writes that failed, by forge.", Double(count), [("forge", forge)])
        }
        for (stage, count) in problems.sorted(by: { $0.key < $1.key }) {
            gauge("fluxstamp_problems", "Unusable inputs and other problems of the last run, by stage.", Double(count), [("stage", stage)])
        }
        for (pair, count) in requests.sorted(by: { ($0.key.forge, $0.key.outcome) < ($1.key.forge, $1.key.outcome) }) {
            gauge(
                "fluxstamp_forge_requests", "Forge API requests the last run sent, by forge and outcome.", Double(count),
                [("forge", pair.forge), ("outcome", pair.outcome)])
        }
        for (forge, seconds) in rateLimitWaitSeconds.sorted(by: { $0.key < $1.key }) {
            gauge(
                "fluxstamp_forge_rate_limit_wait_seconds", "Seconds forge requests were held for rate limits in the last run.", seconds,
                [("forge", forge)])
        }
        return registry.emitToString()
    }
}
