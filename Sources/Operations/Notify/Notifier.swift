import AsyncHTTPClient
import Forges
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Posts a run's news to webhooks: each payload to each URL, retried with backoff on no answer,
/// 429 and 5xx. A webhook that fails is logged and never fails the run.
public struct Notifier: Sendable {
    /// The webhook URLs.
    public var urls: [String]
    /// The format.
    public var format: NotificationFormat
    /// Attempts per payload, the first included.
    public var attempts: Int
    /// The first backoff, in seconds; it doubles per attempt.
    public var backoff: Double
    /// The HTTP client.
    public var httpClient: HTTPClient

    /// Creates a notifier.
    public init(urls: [String], format: NotificationFormat, attempts: Int = 3, backoff: Double = 0.5, httpClient: HTTPClient = .shared) {
        self.urls = urls
        self.format = format
        self.attempts = attempts
        self.backoff = backoff
        self.httpClient = httpClient
    }

    /// Sends `news` (nothing when it is empty); returns how many payloads were delivered.
    @discardableResult
    public func send(_ news: RunNews, logger: Logger) async -> Int {
        let payloads = format.payloads(news)
        guard !payloads.isEmpty else { return 0 }
        var delivered = 0
        for url in urls {
            var failures: [String] = []
            for payload in payloads {
                if let failure = await post(payload, to: url) { failures.append(failure) } else { delivered += 1 }
            }
            if let first = failures.first {
                let line =
                    "notification webhook \(Self.origin(url)): \(failures.count) of \(payloads.count) \(format.rawValue) "
                    + "posts failed (\(first)); the run's outcome is unchanged, check --notify-webhook and the receiver"
                logger.warning("\(line)")
            } else {
                logger.info(
                    "notified \(Self.origin(url))",
                    metadata: [
                        "format": "\(format.rawValue)", "deployments": "\(news.deployments.count)", "statuses": "\(news.statuses.count)",
                    ])
            }
        }
        return delivered
    }

    /// The scheme, host and port of a webhook URL: a Slack webhook's path is its secret, so logs
    /// never show more.
    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "(unparsable URL)" }
        return "\(components.scheme ?? "https")://\(host)\(components.port.map { ":\($0)" } ?? "")/…"
    }

    /// Posts one payload, retrying; nil when delivered, else why not.
    func post(_ payload: NotificationFormat.Payload, to url: String) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: payload.contentType)
        request.headers.add(name: "User-Agent", value: "fluxstamp")
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        var why = ""
        for attempt in 1...max(1, attempts) {
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                let code = Int(response.status.code)
                if (200..<300).contains(code) { return nil }
                why = "HTTP \(code)"
                if code < 500 && code != 429 { return why }
            } catch {
                why = NetworkProblem.describe(error)
            }
            if attempt < attempts { try? await Task.sleep(for: .seconds(backoff * Double(1 << (attempt - 1)))) }
        }
        return "\(why) after \(attempts) attempts"
    }
}
