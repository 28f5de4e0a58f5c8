import AsyncHTTPClient
import Forges
import Foundation
import NIOCore
import NIOHTTP1

/// Posts DevLake deployment payloads to an incoming webhook's `…/deployments` URL, one request per
/// deployment, with the webhook's API key as a Bearer token (never logged or put in an error).
public enum DevLakePush {
    /// Why a payload was refused.
    public struct Failure: Error, CustomStringConvertible {
        /// The payload's id.
        public var id: String
        /// What the webhook answered.
        public var reason: String

        /// One line: what, where, why, what to do.
        public var description: String {
            "DevLake refused deployment \(id): \(reason); check the --push-devlake URL (…/plugins/webhook/<id>/deployments) "
                + "and DEVLAKE_API_KEY"
        }
    }

    /// Posts every payload in order; returns how many were accepted and the failures.
    public static func push(_ payloads: [AuditJSON], to url: String, apiKey: String?) async -> (accepted: Int, failures: [Failure]) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var accepted = 0
        var failures: [Failure] = []
        for payload in payloads {
            let id: String
            if case .object(let members) = payload, case .string(let value)? = members.first(where: { $0.0 == "id" })?.1 {
                id = value
            } else {
                id = "?"
            }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let apiKey, !apiKey.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
            request.body = .bytes(ByteBuffer(string: payload.serialized(pretty: false)))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) {
                    accepted += 1
                } else {
                    let text = String(buffer: body).prefix(200).replacingOccurrences(of: "\n", with: " ")
                    failures.append(Failure(id: id, reason: "HTTP \(response.status.code) \(text)"))
                }
            } catch {
                failures.append(Failure(id: id, reason: NetworkProblem.describe(error)))
            }
        }
        try? await client.shutdown()
        return (accepted, failures)
    }
}
