import Foundation

/// Commit statuses on Gitea and Forgejo.
///
/// Writes: `POST /api/v1/repos/{owner}/{repo}/statuses/{sha}` with `Authorization: token …`.
/// Reads: `GET /api/v1/repos/{owner}/{repo}/commits/{sha}/statuses` paged by `page`/`limit` with
/// `Link` headers; the response names the state `status`. States: pending, success, error,
/// failure, warning (Gitea also skipped).
public struct GiteaForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let transport: ForgeTransport
    let options: ForgeOptions

    /// A client for `repository` with an access token (or user name and password).
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        guard repository.kind == .gitea else {
            throw ForgeError(
                .configuration, repository: repository.description, message: "not a Gitea/Forgejo repository (\(repository.kind))")
        }
        let header: (String, String)
        switch credential {
        case .token(let token): header = ("Authorization", "token \(token.revealed)")
        case .basic(let user, let password): header = ("Authorization", String.basicAuthorization(user, password.revealed))
        case .gitHubApp:
            throw ForgeError(
                .configuration, repository: repository.description, message: "a GitHub App cannot sign in to Gitea; give a `token`")
        }
        self.repository = repository
        self.options = options
        var transport = ForgeTransport(repository: repository, options: options, credential: credential) { [header] }
        transport.isPermanentServerError = { Self.isUnknownCommit($0) }
        self.transport = transport
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// Every Gitea/Forgejo state back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.gitea.commitState(forgeWord: word) }

    /// Gitea answers a write to an unknown or malformed commit with 500 ("GetCommit[…]: object does
    /// not exist"): the lookup fails inside the handler. That is an answer, not an outage.
    static func isUnknownCommit(_ response: ForgeResponse) -> Bool {
        guard response.status == 500 else { return false }
        let message = ForgeTransport.forgeMessage(response.body).lowercased()
        return message.contains("getcommit") || message.contains("object does not exist")
    }

    var repoURL: String {
        "\(repository.apiBaseURL)/repos/\(repository.path[0].pathSegmentEncoded)/\(repository.path[1].pathSegmentEncoded)"
    }

    /// One paged list per commit, `options.concurrency` at a time.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let lists = try await Array(Set(shas)).concurrentMapThrowing(limit: options.concurrency) { sha in (sha, try await list(sha)) }
        return Dictionary(uniqueKeysWithValues: lists)
    }

    private func list(_ sha: String) async throws -> [CommitStatus] {
        struct Item: Decodable {
            var status: String
            var context: String
            var description: String?
            var target_url: String?
            var created_at: Date?
            var creator: Creator?
            struct Creator: Decodable { var login: String? }
        }
        var url: String? = "\(repoURL)/commits/\(sha)/statuses?page=1&limit=50"
        var all: [CommitStatus] = []
        while let next = url {
            let response = try await transport.send(.GET, next, purpose: .read)
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            all += try ForgeJSON.decode([Item].self, response, from: transport).map {
                CommitStatus(
                    sha: sha, context: $0.context, state: Self.commitState($0.status), description: $0.description ?? "",
                    targetURL: $0.target_url, createdAt: $0.created_at, creator: $0.creator?.login,
                    forgeState: $0.status, forgeKey: $0.context)
            }
            url = LinkHeader.next(response.header("Link"))
        }
        return all.latestPerKey()
    }

    /// Creates one status.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var target_url: String
            var description: String
            var context: String
        }
        let body = Body(
            state: forgeState(for: status.state), target_url: status.targetURL ?? "",
            description: storedDescription(status.description), context: status.context)
        // Every POST appends: a write whose answer was lost is re-sent only if Gitea does not show it.
        let response = try await transport.send(
            .POST, "\(repoURL)/statuses/\(status.sha)", json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await alreadyShows(status) })
        if Self.isUnknownCommit(response) {
            throw ForgeError(
                .notFound, repository: repository.description, httpStatus: 500, sha: status.sha, context: status.context,
                message: "500 Gitea has no commit \(status.sha) in this repository; was it pushed, or force-pushed away?")
        }
        guard response.status == 201 || response.status == 200 else {
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }
}

extension GiteaForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
