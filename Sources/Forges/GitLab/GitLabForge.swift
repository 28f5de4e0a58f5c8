import Foundation

/// Commit statuses on GitLab.com and self-managed GitLab.
///
/// Writes: `POST /api/v4/projects/{id}/statuses/{sha}` with `PRIVATE-TOKEN`; the project id is the
/// full path (subgroups included) URL-encoded. GitLab refuses to repeat `pending` or `running`
/// ("Cannot transition status", 400): the client reads first for those states and counts that
/// answer as "already there" when the status already is in the wanted state; a running status
/// moved back to pending is refused too (":enqueue from :running"), and that is reported. `ref` is
/// sent when the status carries one (without it GitLab picks a branch containing the commit and
/// answers 404 when only a tag or a deleted branch reaches it). A 409 (another update to the sha in progress) is retried, and writes
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
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "GitLab needs an access token; put it in the Provider secret's `token` key")
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
            var id: Int?
            var status: String
            var name: String
            var description: String?
            var target_url: String?
            var created_at: Date?
            var author: Author?
            struct Author: Decodable { var username: String? }
        }
        var page: String? = "1"
        var items: [Item] = []
        while let current = page, !current.isEmpty {
            var url = "\(projectURL)/repository/commits/\(sha)/statuses?per_page=100&page=\(current)"
            if let name { url += "&name=\(name.queryValueEncoded)" }
            let response = try await transport.send(.GET, url, purpose: .read)
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            items += try ForgeJSON.decode([Item].self, response, from: transport)
            page = response.header("x-next-page")
        }
        // GitLab lists ascending by id, and statuses written within one second share created_at:
        // newest first means by time, then by id, never by position in the list.
        items.sort { a, b in
            let (da, db) = (a.created_at ?? .distantPast, b.created_at ?? .distantPast)
            return da != db ? da > db : (a.id ?? 0) > (b.id ?? 0)
        }
        return items.map {
            CommitStatus(
                sha: sha, context: $0.name, state: Self.commitState($0.status), description: $0.description ?? "",
                targetURL: $0.target_url, createdAt: $0.created_at, creator: $0.author?.username,
                forgeState: $0.status, forgeKey: $0.name)
        }.latestPerKey()
    }

    /// Creates one status, one write per commit at a time. A pending or running state that the
    /// commit already has in this context is not sent again.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var name: String
            var description: String
            var target_url: String?
            var ref: String?
        }
        let state = forgeState(for: status.state)
        let body = try ForgeJSON.encode(
            Body(
                state: state, name: status.context.prefix(codePoints: Self.fieldLimit),
                description: storedDescription(status.description),
                target_url: status.targetURL?.prefix(codePoints: Self.fieldLimit),
                ref: status.ref?.prefix(codePoints: Self.fieldLimit)))
        try await serializer.run(status.sha) {
            if state == "pending" || state == "running",
                try await statuses(of: status.sha, named: status.context).first?.forgeState == state
            {
                return
            }
            // A finished state appends a new status: a write whose answer was lost is re-sent only
            // if GitLab does not show it.
            let response = try await transport.send(
                .POST, "\(projectURL)/statuses/\(status.sha)", json: body, purpose: .write,
                alreadyStored: { try await alreadyShows(status) })
            if response.status == 201 || response.status == 200 { return }
            let message = ForgeTransport.forgeMessage(response.body)
            if response.status == 400, message.contains("Cannot transition status") {
                // `… from :pending` when pending is wanted: GitLab already shows it, as wanted.
                if message.contains("from :\(state)") { return }
                throw ForgeError(
                    .rejected, repository: repository.description, httpStatus: 400, sha: status.sha, context: status.context,
                    message:
                        "400 GitLab refuses to set \(status.context) on \(status.sha) to \(state) "
                        + "(\(transport.scrub(message))); a running status cannot go back to pending, the next change of "
                        + "state will be written"
                )
            }
            if response.status == 404, message.lowercased().contains("references for commit") {
                throw ForgeError(
                    .notFound, repository: repository.description, httpStatus: 404, sha: status.sha, context: status.context,
                    message:
                        "404 GitLab found no branch containing \(status.sha)\(status.ref.map { " for ref \($0)" } ?? ""); it is "
                        + "reachable only from a tag or a deleted branch, or not pushed; give the status its ref (the tracked "
                        + "branch or tag)"
                )
            }
            if response.status == 403 {
                var error = transport.failure(response, sha: status.sha, context: status.context)
                error.message +=
                    "; on a protected branch the Developer role may not be enough: the token's user needs to be allowed to push "
                    + "or merge there"
                throw error
            }
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }
}

extension GitLabForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
