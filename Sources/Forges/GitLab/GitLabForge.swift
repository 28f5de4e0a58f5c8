import Foundation

/// Commit statuses on GitLab.com and self-managed GitLab.
///
/// Writes: `POST /api/v4/projects/{id}/statuses/{sha}` with `PRIVATE-TOKEN`; the project id is the
/// full path (subgroups included) URL-encoded. GitLab refuses to repeat `pending` or `running`
/// ("Cannot transition status", 400): the client reads first for those states and counts that
/// answer as "already there". A 409 (another update to the sha in progress) is retried, and writes
/// to one sha are serialized. Reads: `GET …/repository/commits/{sha}/statuses` (optionally
/// `?name=`), paged by `x-next-page`; the response names the state `status`.
public struct GitLabForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let transport: ForgeTransport
    let options: ForgeOptions
    private let serializer = PerKeySerializer()

    /// GitLab's limit for `name`, `description` and `target_url`.
    public static let fieldLimit = 255

    /// A client for `repository` with a personal, group or project access token.
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        guard repository.kind == .gitlab else {
            throw ForgeError(.configuration, repository: repository.description, message: "not a GitLab repository (\(repository.kind))")
        }
        guard case .token(let token) = credential else {
            throw ForgeError(.configuration, repository: repository.description, message: "GitLab needs an access token; put it in the Provider secret's `token` key")
        }
        self.repository = repository
        self.options = options
        var transport = ForgeTransport(repository: repository, options: options, credential: credential) {
            [("PRIVATE-TOKEN", token.revealed)]
        }
        transport.retriesConflict = true
        self.transport = transport
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// Every GitLab status word back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.gitlab.commitState(forgeWord: word) }

    var projectURL: String { "\(repository.apiBaseURL)/projects/\(repository.path.joined(separator: "/").pathSegmentEncoded)" }

    /// One list per commit (GitLab has no bulk read), `options.concurrency` at a time.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let lists = try await Array(Set(shas)).concurrentMapThrowing(limit: options.concurrency) { sha in
            (sha, try await statuses(of: sha, named: nil))
        }
        return Dictionary(uniqueKeysWithValues: lists)
    }

    /// The latest status per name of one commit, newest first; only `name` when given.
    public func statuses(of sha: String, named name: String?) async throws -> [CommitStatus] {
        struct Item: Decodable {
            var status: String
            var name: String
            var description: String?
            var target_url: String?
            var created_at: Date?
            var author: Author?
            struct Author: Decodable { var username: String? }
        }
        var page: String? = "1"
        var all: [CommitStatus] = []
        while let current = page, !current.isEmpty {
            var url = "\(projectURL)/repository/commits/\(sha)/statuses?per_page=100&page=\(current)"
            if let name { url += "&name=\(name.queryValueEncoded)" }
            let response = try await transport.send(.GET, url, purpose: .read)
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            all += try ForgeJSON.decode([Item].self, response, from: transport).map {
                CommitStatus(sha: sha, context: $0.name, state: Self.commitState($0.status), description: $0.description ?? "",
                             targetURL: $0.target_url, createdAt: $0.created_at, creator: $0.author?.username,
                             forgeState: $0.status, forgeKey: $0.name)
            }
            page = response.header("x-next-page")
        }
        return all.latestPerKey()
    }

    /// Creates one status, one write per commit at a time. A pending or running state that the
    /// commit already has in this context is not sent again.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var name: String
            var description: String
            var target_url: String?
        }
        let state = forgeState(for: status.state)
        let body = try ForgeJSON.encode(Body(state: state, name: status.context.prefix(codePoints: Self.fieldLimit),
                                             description: storedDescription(status.description),
                                             target_url: status.targetURL?.prefix(codePoints: Self.fieldLimit)))
        try await serializer.run(status.sha) {
            if state == "pending" || state == "running",
               try await statuses(of: status.sha, named: status.context).first?.forgeState == state {
                return
            }
            let response = try await transport.send(.POST, "\(projectURL)/statuses/\(status.sha)", json: body, purpose: .write)
            if response.status == 201 || response.status == 200 { return }
            if response.status == 400, ForgeTransport.forgeMessage(response.body).contains("Cannot transition status") {
                return  // GitLab already shows this state: that is what we wanted.
            }
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }
}

extension GitLabForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
