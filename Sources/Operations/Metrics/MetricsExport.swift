import AsyncHTTPClient
import Forges
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Where a run's metrics go: a Pushgateway and/or a file for node-exporter's textfile collector.
/// Neither can fail the run: a failure is logged and the run's exit code stays what it was.
public enum MetricsExport {
    /// The Pushgateway URL of a run's group: `<base>/metrics/job/fluxstamp/cluster/<name>` (and
    /// `/shard/<i>` when sharded, so the pods of one Indexed Job do not overwrite each other). A
    /// value with characters a path segment cannot carry uses the `@base64` form.
    public static func pushURL(base: String, cluster: String, shard: Int? = nil) -> String {
        func segment(_ label: String, _ value: String) -> String {
            let plain = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
            if plain { return "\(label)/\(value)" }
            let encoded = Data(value.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
            return "\(label)@base64/\(encoded.isEmpty ? "=" : encoded)"
        }
        var url = base.hasSuffix("/") ? String(base.dropLast()) : base
        url += "/metrics/job/fluxstamp/" + segment("cluster", cluster)
        if let shard { url += "/" + segment("shard", String(shard)) }
        return url
    }

    /// Pushes the exposition: PUT (replacing the group's metrics) after a successful run, POST
    /// (replacing only the metrics sent, so `fluxstamp_last_success_timestamp_seconds` of the last
    /// good run stays) after a failed one. Two attempts; returns whether the gateway took it.
    @discardableResult
    public static func push(
        _ body: String, to url: String, replace: Bool, httpClient: HTTPClient = .shared, logger: Logger
    ) async -> Bool {
        let target = authorized(url)
        var request = HTTPClientRequest(url: target.url)
        request.method = replace ? .PUT : .POST
        if let authorization = target.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: body))
        var last = ""
        for attempt in 1...2 {
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(Int(response.status.code)) { return true }
                last = "HTTP \(response.status.code)"
                if response.status.code < 500 { break }
            } catch {
                last = NetworkProblem.describe(error)
            }
            if attempt == 1 { try? await Task.sleep(for: .seconds(1)) }
        }
        logger.warning(
            "metrics were not pushed to \(redacted(url)): \(last); the run's outcome is unchanged, check --pushgateway and the gateway"
        )
        return false
    }

    /// Writes the exposition to `path` atomically (a temporary file in the same directory, then a
    /// rename), as node-exporter's textfile collector asks, so it never reads half a file. Returns
    /// whether it was written; a failure is logged.
    @discardableResult
    public static func write(_ body: String, to path: String, logger: Logger) -> Bool {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(body.utf8).write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                let why = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: why])
            }
            return true
        } catch {
            logger.warning(
                "metrics file \(path) was not written: \(error.localizedDescription); the run's outcome is unchanged, check --metrics-file")
            return false
        }
    }

    /// `fluxstamp_last_success_timestamp_seconds` from an earlier metrics file, so a failed run
    /// keeps the time of the last good one (the alert "no successful run for an hour" needs it).
    public static func lastSuccess(inFile path: String) -> Date? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("fluxstamp_last_success_timestamp_seconds") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return Date(timeIntervalSince1970: value) }
        }
        return nil
    }

    /// The URL without user information (a gateway behind basic auth must not leak it into logs).
    /// A Pushgateway behind basic auth (its `--web.config.file`): the user and password come from
    /// the URL (`https://USER:PASSWORD@host`), the password also from `FLUXSTAMP_PUSHGATEWAY_PASSWORD`
    /// when the URL names only the user (so it can come from a Secret). Returns the URL without
    /// them and the `Authorization` header; a URL without a user is returned as it is.
    public static func authorized(
        _ url: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (url: String, authorization: String?) {
        guard var components = URLComponents(string: url), let user = components.user else { return (url, nil) }
        let password = components.password ?? environment["FLUXSTAMP_PUSHGATEWAY_PASSWORD"] ?? ""
        let credentials = "\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)"
        components.user = nil
        components.password = nil
        return (components.string ?? url, "Basic " + Data(credentials.utf8).base64EncodedString())
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
