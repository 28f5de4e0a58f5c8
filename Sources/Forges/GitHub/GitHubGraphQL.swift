import Foundation
import NIOConcurrencyHelpers

/// What GitHub GraphQL reads cost in one run, from the `rateLimit` field of each answer.
public final class GraphQLUsage: Sendable {
    private struct Totals { var queries = 0, cost = 0, remaining: Int? }
    private let totals = NIOLockedValueBox(Totals())

    /// Queries answered, points spent, and points left in the window after the last answer.
    public var snapshot: (queries: Int, cost: Int, remaining: Int?) { totals.withLockedValue { ($0.queries, $0.cost, $0.remaining) } }

    func record(cost: Int, remaining: Int?) {
        totals.withLockedValue { totals in
            totals.queries += 1
            totals.cost += cost
            if let remaining { totals.remaining = remaining }
        }
    }
}

extension GitHubForge {
    /// The GraphQL query that reads the latest status per context of up to 100 commits at once.
    /// The emulator parses exactly this shape.
    static func statusQuery(owner: String, name: String, shas: [String]) -> String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var query = "query { rateLimit { cost remaining resetAt } repository(owner: \(quoted(owner)), name: \(quoted(name))) {"
        for (index, sha) in shas.enumerated() {
            query +=
                " c\(index): object(oid: \(quoted(sha))) { ... on Commit { oid status { contexts { context state description "
                + "targetUrl createdAt creator { login } } } } }"
        }
        return query + " } }"
    }

    /// One GraphQL request for up to 100 commits.
    func queryStatuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        struct Request: Encodable { var query: String }
        struct Answer: Decodable {
            var data: DataField?
            var errors: [GraphQLError]?
            struct DataField: Decodable {
                var rateLimit: RateLimit?
                var repository: [String: CommitObject?]?
            }
            struct RateLimit: Decodable { var cost: Int; var remaining: Int? }
            struct CommitObject: Decodable { var oid: String?; var status: Status? }
            struct Status: Decodable { var contexts: [Context] }
            struct Context: Decodable {
                var context: String
                var state: String
                var description: String?
                var targetUrl: String?
                var createdAt: Date?
                var creator: Creator?
            }
            struct Creator: Decodable { var login: String? }
            struct GraphQLError: Decodable { var type: String?; var message: String }
        }
        guard let url = repository.graphQLURL else {
            throw ForgeError(.configuration, repository: repository.description, message: "no GraphQL endpoint for this repository")
        }
        let query = Self.statusQuery(owner: repository.path[0], name: repository.path[1], shas: shas)
        let response = try await transport.send(.POST, url, json: try ForgeJSON.encode(Request(query: query)), purpose: .read)
        guard response.status == 200 else { throw transport.failure(response) }
        let answer = try ForgeJSON.decode(Answer.self, response, from: transport)
        if let rate = answer.data?.rateLimit { graphQLUsage.record(cost: rate.cost, remaining: rate.remaining) }
        if let errors = answer.errors, !errors.isEmpty {
            let message = transport.scrub(errors.map(\.message).joined(separator: "; "))
            if errors.contains(where: { $0.type == "NOT_FOUND" }) {
                throw ForgeError(
                    .notFound, repository: repository.description,
                    message:
                        "the repository was not found, or the credential cannot see it (GraphQL: \(message)); check the address "
                        + "(\(repository.address)) and the credential's repository access"
                )
            }
            if errors.contains(where: { $0.type == "RATE_LIMITED" }) {
                throw ForgeError(.rateLimited, repository: repository.description, message: "GraphQL rate limit spent: \(message)")
            }
            throw ForgeError(.rejected, repository: repository.description, message: "GraphQL query refused: \(message)")
        }
        guard let objects = answer.data?.repository else {
            throw ForgeError(.invalidResponse, repository: repository.description, message: "GraphQL answer has no repository")
        }
        var result: [String: [CommitStatus]] = [:]
        for (index, sha) in shas.enumerated() {
            let contexts = (objects["c\(index)"] ?? nil)?.status?.contexts ?? []
            result[sha] = contexts.map {
                CommitStatus(
                    sha: sha, context: $0.context, state: Self.commitState($0.state), description: $0.description ?? "",
                    targetURL: $0.targetUrl, createdAt: $0.createdAt, creator: $0.creator?.login,
                    forgeState: $0.state.lowercased(), forgeKey: $0.context.lowercased())
            }.latestPerKey()
        }
        return result
    }
}
