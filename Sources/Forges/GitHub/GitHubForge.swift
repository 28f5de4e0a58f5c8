import Foundation

/// Commit statuses on GitHub and GitHub Enterprise Server.
///
/// Writes: `POST /repos/{owner}/{repo}/statuses/{sha}` (every POST appends; at most 1000 statuses
/// per sha and context, after which GitHub answers 422 — reported, never retried; descriptions are
/// cut to 140 characters). Reads: GraphQL `object(oid:)` aliases, up to 100 commits per query, with
/// the query cost read from `rateLimit`; the REST list (Link-paged, newest first) as fallback.
/// Credentials: a token (Bearer) or a GitHub App installation.
public struct GitHubForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    /// Whether bulk reads use GraphQL (true) or the REST list only (false).
    public let usesGraphQL: Bool
    /// What GraphQL reads cost so far.
    public let graphQLUsage = GraphQLUsage()
    let transport: ForgeTransport
    let options: ForgeOptions

    /// Commits per GraphQL query (GitHub allows 100 aliases comfortably within its node limits).
    public static let commitsPerQuery = 100
    /// GitHub's description limit.
    public static let descriptionLimit = 140

    /// A client for `repository` (which must be a GitHub repository).
    public init(
        repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions(),
        usesGraphQL: Bool = true
    ) throws(ForgeError) {
        guard repository.kind == .github else {
            throw ForgeError(.configuration, repository: repository.description, message: "not a GitHub repository (\(repository.kind))")
        }
        self.repository = repository
        self.usesGraphQL = usesGraphQL
        self.options = options
        let counter = RequestCounter()
        let authorize: @Sendable () async throws -> [(String, String)]
        switch credential {
        case .token(let token):
            authorize = { [("Authorization", "Bearer \(token.revealed)")] }
        case .basic(let user, let password):
            authorize = { [("Authorization", String.basicAuthorization(user, password.revealed))] }
        case .gitHubApp(let app):
            let tokens = try GitHubAppTokens(app: app, repository: repository, options: options, counter: counter)
            authorize = { [("Authorization", "Bearer \(try await tokens.token())")] }
        }
        var transport = ForgeTransport(
            repository: repository, options: options, credential: credential, counter: counter, authorize: authorize)
        transport.retriesConflict = false
        self.transport = transport
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// Every state GitHub returns (REST lower case, GraphQL upper case), back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.github.commitState(forgeWord: word) }

    /// Reads the latest status per context of each commit, via GraphQL (100 commits a query) or REST.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let unique = Array(Set(shas)).sorted()
        var result: [String: [CommitStatus]] = [:]
        var viaREST = usesGraphQL ? unique.filter { !$0.isHexObjectID } : unique
        if usesGraphQL {
            let chunks = unique.filter(\.isHexObjectID).chunked(into: Self.commitsPerQuery)
            let answers = try await chunks.concurrentMapThrowing(limit: options.concurrency) {
                chunk -> ([String: [CommitStatus]], [String]) in
                do {
                    return (try await queryStatuses(of: chunk), [])
                } catch let error as ForgeError where error.kind == .notFound && error.httpStatus == 404 {
                    // A server without GraphQL at this address: read these commits over REST.
                    return ([:], chunk)
                } catch let error as ForgeError where error.kind == .rateLimited {
                    // GraphQL points are a budget of their own (`x-ratelimit-resource: graphql`);
                    // when they run out, REST (`core`) still answers: read these commits there.
                    transport.logger.info("GraphQL rate limit spent; reading over REST", metadata: ["commits": "\(chunk.count)"])
                    return ([:], chunk)
                }
            }
            for (found, fallback) in answers {
                result.merge(found) { a, _ in a }
                viaREST += fallback
            }
        }
        let listed = try await viaREST.concurrentMapThrowing(limit: options.concurrency) { sha in (sha, try await listStatuses(of: sha)) }
        for (sha, statuses) in listed { result[sha] = statuses }
        return result
    }

    /// Creates one status. 422 "maximum number of statuses" becomes `.statusLimitReached`.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var target_url: String?
            var description: String
            var context: String
        }
        let body = Body(
            state: forgeState(for: status.state), target_url: status.targetURL,
            description: storedDescription(status.description), context: status.context)
        // Every POST appends: a write whose answer was lost is re-sent only if GitHub does not show it.
        let response = try await transport.send(
            .POST, "\(repoURL)/statuses/\(status.sha)", json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await alreadyShows(status) })
        guard response.status == 201 || response.status == 200 else {
            if response.status == 422, ForgeTransport.forgeMessage(response.body).lowercased().contains("no commit found") {
                throw ForgeError(
                    .notFound, repository: repository.description, httpStatus: 422, sha: status.sha, context: status.context,
                    message: "422 GitHub has no commit \(status.sha) in this repository; was it pushed, or force-pushed away?")
            }
            if response.status == 422, ForgeTransport.forgeMessage(response.body).lowercased().contains("maximum number of statuses") {
                throw ForgeError(
                    .statusLimitReached, repository: repository.description, httpStatus: 422, sha: status.sha, context: status.context,
                    message:
                        "422 commit \(status.sha) already has GitHub's maximum of 1000 statuses in context \(status.context); "
                        + "no more can be added there"
                )
            }
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }

    var repoURL: String {
        "\(repository.apiBaseURL)/repos/\(repository.path[0].pathSegmentEncoded)/\(repository.path[1].pathSegmentEncoded)"
    }

    /// REST: every page of `GET /repos/{o}/{r}/commits/{sha}/statuses`, reduced to the newest per context.
    func listStatuses(of sha: String) async throws -> [CommitStatus] {
        struct Item: Decodable {
            var state: String
            var description: String?
            var target_url: String?
            var context: String
            var created_at: Date?
            var creator: Creator?
            struct Creator: Decodable { var login: String? }
        }
        var url: String? = "\(repoURL)/commits/\(sha)/statuses?per_page=100"
        var all: [CommitStatus] = []
        while let next = url {
            let response = try await transport.send(.GET, next, purpose: .read)
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            let items = try ForgeJSON.decode([Item].self, response, from: transport)
            all += items.map {
                CommitStatus(
                    sha: sha, context: $0.context, state: Self.commitState($0.state), description: $0.description ?? "",
                    targetURL: $0.target_url, createdAt: $0.created_at, creator: $0.creator?.login,
                    forgeState: $0.state, forgeKey: $0.context.lowercased())
            }
            url = LinkHeader.next(response.header("Link"))
        }
        return all.latestPerKey()
    }
}

extension Array where Element == CommitStatus {
    /// Newest first, one status per forge key (the newest).
    func latestPerKey() -> [CommitStatus] {
        let sorted = enumerated().sorted { a, b in
            let (da, db) = (a.element.createdAt ?? .distantPast, b.element.createdAt ?? .distantPast)
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element)
        var seen = Set<String>()
        return sorted.filter { seen.insert($0.forgeKey ?? $0.context).inserted }
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

extension String {
    /// 40 (SHA-1) or 64 (SHA-256) lower- or upper-case hex digits.
    var isHexObjectID: Bool {
        (count == 40 || count == 64) && allSatisfy(\.isHexDigit)
    }
}

/// RFC 8288 `Link` headers, as GitHub and Gitea page with them.
enum LinkHeader {
    /// The `rel="next"` target, if any.
    static func next(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            if pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" }) {
                return String(target.dropFirst().dropLast())
            }
        }
        return nil
    }
}

extension GitHubForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
