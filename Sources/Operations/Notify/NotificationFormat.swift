import Foundation
import Reconcile

/// How a run's news is posted to a webhook (docs/operate.md shows each with an example).
public enum NotificationFormat: String, Sendable, CaseIterable {
    /// One JSON document per run: `{cluster, time, deployments: […], statuses: […]}`.
    case json
    /// CloudEvents 1.0 in structured mode: one `application/cloudevents+json` request per event,
    /// types `dev.fluxstamp.deployment.succeeded`, `dev.fluxstamp.deployment.failed` and
    /// `dev.fluxstamp.status.corrected` (a correction or a backfill).
    case cloudevents
    /// A Slack incoming-webhook message: a summary `text` and `blocks` with commit links.
    case slack

    /// One request body to post.
    public struct Payload: Sendable {
        /// The `Content-Type`.
        public var contentType: String
        /// The body.
        public var body: Data
    }

    /// The bodies to post for `news` (none when it is empty).
    public func payloads(_ news: RunNews) -> [Payload] {
        guard !news.isEmpty else { return [] }
        switch self {
        case .json: return [Payload(contentType: "application/json", body: Self.encode(Self.document(news)))]
        case .cloudevents:
            return Self.events(news).map { Payload(contentType: "application/cloudevents+json", body: Self.encode($0)) }
        case .slack: return [Payload(contentType: "application/json", body: Self.encode(Self.slack(news)))]
        }
    }

    static func encode(_ value: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func timestamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    static func deployment(_ d: RunNews.Deployment, cluster: String) -> [String: Any] {
        var fields: [String: Any] = [
            "cluster": cluster, "namespace": d.kustomization.namespace, "name": d.kustomization.name, "revision": d.revision,
            "commit": d.sha, "outcome": d.outcome.rawValue, "reason": d.reason, "message": d.message,
        ]
        if let time = d.time { fields["time"] = timestamp(time) }
        if let url = d.commitURL { fields["commitURL"] = url }
        return fields
    }

    static func status(_ s: RunNews.StatusChange, cluster: String) -> [String: Any] {
        var fields: [String: Any] = [
            "cluster": cluster, "kind": s.kind, "reason": s.reason, "namespace": s.kustomization.namespace,
            "name": s.kustomization.name, "repository": s.repository, "commit": s.sha, "context": s.context, "state": s.state,
            "description": s.description,
        ]
        if let previous = s.previousState { fields["previousState"] = previous }
        if let url = s.commitURL { fields["commitURL"] = url }
        return fields
    }

    /// The `json` format.
    static func document(_ news: RunNews) -> [String: Any] {
        [
            "source": "fluxstamp", "cluster": news.cluster, "time": timestamp(news.time),
            "deployments": news.deployments.map { deployment($0, cluster: news.cluster) },
            "statuses": news.statuses.map { status($0, cluster: news.cluster) },
        ]
    }

    /// The `cloudevents` format: one event per deployment and per status written. The `id` is
    /// derived from what the event is about, so a receiver can drop a repeat (a retried post, or a
    /// deployment told again after the window overlapped without a ledger).
    static func events(_ news: RunNews) -> [[String: Any]] {
        let source = "/fluxstamp/clusters/\(news.cluster)"
        var events: [[String: Any]] = []
        for d in news.deployments {
            var event: [String: Any] = [
                "specversion": "1.0", "id": stableID("deployment \(news.cluster) \(d.kustomization) \(d.sha) \(d.outcome.rawValue)"),
                "source": source, "type": "dev.fluxstamp.deployment.\(d.outcome.rawValue)", "subject": "\(d.kustomization)",
                "datacontenttype": "application/json", "data": deployment(d, cluster: news.cluster),
            ]
            event["time"] = timestamp(d.time ?? news.time)
            events.append(event)
        }
        for s in news.statuses {
            events.append([
                "specversion": "1.0", "id": stableID("status \(s.repository) \(s.sha) \(s.context) \(s.state) \(s.description)"),
                "source": source, "type": "dev.fluxstamp.status.corrected", "subject": "\(s.kustomization)",
                "time": timestamp(news.time), "datacontenttype": "application/json", "data": status(s, cluster: news.cluster),
            ])
        }
        return events
    }

    /// FNV-1a (64 bit) of `text`, as 16 hex digits: stable across runs and machines.
    static func stableID(_ text: String) -> String {
        let hash = text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The `slack` format: Block Kit sections in an incoming-webhook message.
    static func slack(_ news: RunNews) -> [String: Any] {
        func link(_ url: String?, _ sha: String) -> String { url.map { "<\($0)|`\(sha.prefix(7))`>" } ?? "`\(sha.prefix(7))`" }
        var summary: [String] = []
        if !news.deployments.isEmpty { summary.append("\(news.deployments.count) new deployment\(news.deployments.count == 1 ? "" : "s")") }
        let corrected = news.statuses.filter { $0.kind == "corrected" }.count, backfilled = news.statuses.count - corrected
        if corrected > 0 { summary.append("\(corrected) status\(corrected == 1 ? "" : "es") corrected") }
        if backfilled > 0 { summary.append("\(backfilled) status\(backfilled == 1 ? "" : "es") backfilled") }
        let text = "fluxstamp on \(news.cluster): " + summary.joined(separator: ", ")
        var blocks: [[String: Any]] = [["type": "section", "text": ["type": "mrkdwn", "text": "*\(text)*"]]]
        // Slack allows 50 blocks a message: the rest is counted, not listed.
        let limit = 45
        var lines: [String] = news.deployments.map { d in
            let mark = d.outcome == .succeeded ? ":white_check_mark:" : ":x:"
            let why = d.outcome == .succeeded ? "" : " — \(d.reason): \(d.message)"
            return "\(mark) *\(d.kustomization)* \(d.outcome == .succeeded ? "deployed" : "failed at") \(link(d.commitURL, d.sha))\(why)"
        }
        lines += news.statuses.map { s in
            ":pencil2: \(s.kind) `\(s.context)` on \(link(s.commitURL, s.sha)) in \(s.repository): "
                + "*\(s.state)* \(s.description) (\(s.reason))"
        }
        for line in lines.prefix(limit) {
            blocks.append(["type": "section", "text": ["type": "mrkdwn", "text": String(line.prefix(3000))]])
        }
        if lines.count > limit {
            blocks.append(["type": "context", "elements": [["type": "mrkdwn", "text": "… and \(lines.count - limit) more"]]])
        }
        return ["text": text, "blocks": blocks]
    }
}
