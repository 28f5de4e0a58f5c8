import Foundation

/// Build statuses on Bitbucket Data Center (Server).
///
/// Writes: `POST /rest/api/latest/projects/{KEY}/repos/{slug}/commits/{sha}/builds` (under the
/// server's context path, if any). Reads: `GET` the same path with `?key=…`, which answers the one
/// status with that key or 404 (as NC's `duplicateBitbucketServerStatus` reads it); there is no
/// list, so reads need the contexts (`statuses(of:contexts:)`). A status is
/// identified by `key` (SHA-1 hex of the context id, as NC does) and overwritten in place; NC posts
/// the name as `kind/name [description]`. Fields ≤ 255 characters, `url` ≤ 450. States:
/// SUCCESSFUL, FAILED, INPROGRESS, CANCELLED, UNKNOWN. Credentials: HTTP access token (Bearer)
/// or user name and password (Basic).
public struct BitbucketServerForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let transport: ForgeTransport
    let options: ForgeOptions

    /// Limit of `key`, `name` and `description`.
    public static let fieldLimit = 255
    /// Limit of `url`.
    public static let urlLimit = 450

    /// A client for `repository`.
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        guard repository.kind == .bitbucketserver else {
            throw ForgeError(
                .configuration, repository: repository.description, message: "not a Bitbucket Data Center repository (\(repository.kind))")
        }
        let header: (String, String)
        switch credential {
        case .token(let token): header = ("Authorization", "Bearer \(token.revealed)")
        case .basic(let user, let password): header = ("Authorization", String.basicAuthorization(user, password.revealed))
        case .gitHubApp:
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "a GitHub App cannot sign in to Bitbucket; give a `token` or `username`/`password`")
        }
        self.repository = repository
        self.options = options
        self.transport = ForgeTransport(repository: repository, options: options, credential: credential) { [header] }
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// Every Bitbucket DC state back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.bitbucketserver.commitState(forgeWord: word) }

    func buildsURL(_ sha: String) -> String {
        let (project, slug) = (repository.path[0].pathSegmentEncoded, repository.path[1].pathSegmentEncoded)
        return "\(repository.apiBaseURL)/projects/\(project)/repos/\(slug)/commits/\(sha)/builds"
    }

    /// Bitbucket Data Center cannot list a commit's build statuses through this resource; it reads
    /// one status by key. Without the contexts there is nothing to ask for, so this throws a
    /// `configuration` error rather than report "no statuses" (which would make a caller rewrite,
    /// or skip correcting, every status). Use `statuses(of:contexts:)`.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        throw ForgeError(
            .configuration, repository: repository.description,
            message:
                "Bitbucket Data Center reads one build status by key (GET …/builds?key=…); read with statuses(of:contexts:) and "
                + "the contexts wanted"
        )
    }

    /// One `GET …/commits/{sha}/builds?key=<statusKey(forContext:)>` per commit and context,
    /// `options.concurrency` at a time. 200 is the one status with that key; 404 means there is
    /// none (also what a missing repository answers: the write that follows reports it).
    public func statuses(of shas: [String], contexts: Set<String>) async throws -> [String: [CommitStatus]] {
        let commits = Array(Set(shas))
        let keys = Set(contexts.map(statusKey(forContext:))).sorted()
        let pairs = commits.flatMap { sha in keys.map { (sha: sha, key: $0) } }
        let found = try await pairs.concurrentMapThrowing(limit: options.concurrency) { pair in
            (pair.sha, try await status(pair.sha, key: pair.key))
        }
        var result = Dictionary(uniqueKeysWithValues: commits.map { ($0, [CommitStatus]()) })
        for case let (sha, status?) in found { result[sha, default: []].append(status) }
        return result.mapValues { $0.latestPerKey() }
    }

    /// The status with `key` on `sha`, or nil when the server answers 404.
    private func status(_ sha: String, key: String) async throws -> CommitStatus? {
        struct Item: Decodable {
            var key: String
            var state: String
            var name: String?
            var description: String?
            var url: String?
            var createdDate: Double?
            var updatedDate: Double?
        }
        let response = try await transport.send(.GET, "\(buildsURL(sha))?key=\(key.queryValueEncoded)", purpose: .read)
        // 404: no status with that key. 400: the server does not know the commit (Data Center
        // answers an unknown or malformed sha with 400); writing to it reports the problem.
        if response.status == 404 || response.status == 400 { return nil }
        if response.status == 405 {
            // Before 7.14 this resource only takes POST: there is no way to read a status by key.
            throw ForgeError(
                .configuration, repository: repository.description, httpStatus: 405, sha: sha,
                message:
                    "405 this Bitbucket Data Center cannot read a build status by key (GET …/builds?key= needs 7.14 or later), "
                    + "so fluxstamp cannot tell what is already there; upgrade the server to 7.14 or later"
            )
        }
        guard response.status == 200 else { throw transport.failure(response, sha: sha) }
        let item = try ForgeJSON.decode(Item.self, response, from: transport)
        return CommitStatus(
            sha: sha, context: item.key, state: Self.commitState(item.state), description: item.description ?? "",
            targetURL: item.url, title: item.name,
            createdAt: (item.updatedDate ?? item.createdDate).map { Date(timeIntervalSince1970: $0 / 1000) },
            forgeState: item.state, forgeKey: item.key)
    }

    /// Creates or overwrites (same key) one status; the server answers 204.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var key: String
            var state: String
            var name: String
            var description: String
            var url: String
        }
        let description = storedDescription(status.description)
        let name = status.title ?? "\(BitbucketKey.name(forContext: status.context)) [\(description)]"
        let url = status.targetURL ?? "\(repository.scheme)://\(repository.host)"
        let body = Body(
            key: statusKey(forContext: status.context), state: forgeState(for: status.state),
            name: name.prefix(codePoints: Self.fieldLimit), description: description,
            url: url.prefix(codePoints: Self.urlLimit))
        let response = try await transport.send(.POST, buildsURL(status.sha), json: try ForgeJSON.encode(body), purpose: .write)
        guard (200..<300).contains(response.status) else {
            var error = transport.failure(response, sha: status.sha, context: status.context)
            if response.status == 401 {
                // Data Center also answers 401 when the user may read but not push build statuses.
                error.message += "; a 401 also means the token's user may not push build statuses: it needs write (REPO_WRITE) access"
            }
            throw error
        }
    }
}

extension BitbucketServerForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
