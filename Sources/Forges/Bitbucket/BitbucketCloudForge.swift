import Foundation

/// Commit statuses ("build statuses") on Bitbucket Cloud.
///
/// Writes: `POST /2.0/repositories/{workspace}/{repo}/commit/{sha}/statuses/build`; a status is
/// identified by `key` (at most 40 characters, so the key is the SHA-1 hex of the context id, as
/// NC does) and a second POST with the same key overwrites it. `url` is required and must be a
/// valid URL: the target URL when it is one, else `https://bitbucket.org` (NC's value). Reads:
/// `GET …/commit/{sha}/statuses`, paged by the body's `next`. States: SUCCESSFUL, FAILED,
/// INPROGRESS, STOPPED. Credentials: `user:app-password` (Basic) or an access token (Bearer).
public struct BitbucketCloudForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let transport: ForgeTransport
    let options: ForgeOptions

    /// The limit this client trims descriptions to.
    public static let descriptionLimit = 255

    /// A client for `repository`. A token of the form `user:app-password` is sent as Basic, any
    /// other token as Bearer.
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        guard repository.kind == .bitbucket else {
            throw ForgeError(
                .configuration, repository: repository.description, message: "not a Bitbucket Cloud repository (\(repository.kind))")
        }
        let header: (String, String)
        switch credential {
        case .token(let token):
            if let colon = token.revealed.firstIndex(of: ":") {
                header = (
                    "Authorization",
                    String.basicAuthorization(
                        String(token.revealed[..<colon]), String(token.revealed[token.revealed.index(after: colon)...]))
                )
            } else {
                header = ("Authorization", "Bearer \(token.revealed)")
            }
        case .basic(let user, let password): header = ("Authorization", String.basicAuthorization(user, password.revealed))
        case .gitHubApp:
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "a GitHub App cannot sign in to Bitbucket; give `user:app-password` in `token`")
        }
        self.repository = repository
        self.options = options
        self.transport = ForgeTransport(repository: repository, options: options, credential: credential) { [header] }
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// Every Bitbucket Cloud state back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.bitbucket.commitState(forgeWord: word) }

    var commitsURL: String {
        "\(repository.apiBaseURL)/repositories/\(repository.path[0].pathSegmentEncoded)/\(repository.path[1].pathSegmentEncoded)/commit"
    }

    /// One body-paged list per commit, `options.concurrency` at a time.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let lists = try await Array(Set(shas)).concurrentMapThrowing(limit: options.concurrency) { sha in (sha, try await list(sha)) }
        return Dictionary(uniqueKeysWithValues: lists)
    }

    private func list(_ sha: String) async throws -> [CommitStatus] {
        struct Page: Decodable { var values: [Item]; var next: String? }
        struct Item: Decodable {
            var key: String
            var state: String
            var name: String?
            var description: String?
            var url: String?
            var created_on: Date?
            var updated_on: Date?
        }
        var url: String? = "\(commitsURL)/\(sha)/statuses?pagelen=100"
        var all: [CommitStatus] = []
        while let next = url {
            let response = try await transport.send(.GET, next, purpose: .read)
            // An unknown commit is a 404 naming the commit (a missing repository names the
            // repository): the commit has no statuses; writing to it reports the problem.
            if response.status == 404, ForgeTransport.forgeMessage(response.body).lowercased().contains("commit") { return [] }
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            let page = try ForgeJSON.decode(Page.self, response, from: transport)
            all += page.values.map {
                CommitStatus(
                    sha: sha, context: $0.key, state: Self.commitState($0.state), description: $0.description ?? "",
                    targetURL: $0.url, title: $0.name, createdAt: $0.updated_on ?? $0.created_on,
                    forgeState: $0.state, forgeKey: $0.key)
            }
            url = page.next
        }
        return all.latestPerKey()
    }

    /// Creates or overwrites (same key) one status.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            /// The published schema (commitstatus, an `object`) requires `type`; NC leaves it out.
            var type = "build"
            var key: String
            var state: String
            var name: String
            var description: String
            var url: String
        }
        let body = Body(
            key: statusKey(forContext: status.context), state: forgeState(for: status.state),
            name: status.title ?? BitbucketKey.name(forContext: status.context),
            description: storedDescription(status.description),
            url: BitbucketKey.isValidURL(status.targetURL) ? status.targetURL! : "https://bitbucket.org")
        let response = try await transport.send(
            .POST, "\(commitsURL)/\(status.sha)/statuses/build", json: try ForgeJSON.encode(body), purpose: .write)
        guard response.status == 201 || response.status == 200 else {
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }
}

extension BitbucketCloudForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
