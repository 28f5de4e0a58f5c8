import Foundation

/// Build statuses on Bitbucket Data Center (Server).
///
/// Writes and reads: `/rest/api/latest/projects/{KEY}/repos/{slug}/commits/{sha}/builds` (under the
/// server's context path, if any). Reads are paged by `isLastPage`/`nextPageStart`. A status is
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
            throw ForgeError(.configuration, repository: repository.description, message: "not a Bitbucket Data Center repository (\(repository.kind))")
        }
        let header: (String, String)
        switch credential {
        case .token(let token): header = ("Authorization", "Bearer \(token.revealed)")
        case .basic(let user, let password): header = ("Authorization", String.basicAuthorization(user, password.revealed))
        case .gitHubApp: throw ForgeError(.configuration, repository: repository.description, message: "a GitHub App cannot sign in to Bitbucket; give a `token` or `username`/`password`")
        }
        self.repository = repository
        self.options = options
        self.transport = ForgeTransport(repository: repository, options: options, credential: credential) { [header] }
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// SHA-1 hex of the context id.
    public func statusKey(forContext context: String) -> String { BitbucketKey.key(forContext: context) }

    /// SPEC section 5: succeeded → `SUCCESSFUL`, failed → `FAILED`.
    public func forgeState(for state: CommitState) -> String {
        switch state {
        case .succeeded, .skipped: "SUCCESSFUL"
        case .failed, .warning: "FAILED"
        case .pending, .running: "INPROGRESS"
        case .canceled: "CANCELLED"
        case .unknown: "UNKNOWN"
        }
    }

    /// Every Bitbucket DC state back to neutral.
    public static func commitState(_ word: String) -> CommitState {
        switch word {
        case "SUCCESSFUL": .succeeded
        case "FAILED": .failed
        case "INPROGRESS": .running
        case "CANCELLED": .canceled
        default: .unknown
        }
    }

    /// Cut to 255 characters.
    public func storedDescription(_ description: String) -> String { description.trimmed(toCharacters: Self.fieldLimit) }

    func buildsURL(_ sha: String) -> String {
        "\(repository.apiBaseURL)/projects/\(repository.path[0].pathSegmentEncoded)/repos/\(repository.path[1].pathSegmentEncoded)/commits/\(sha)/builds"
    }

    /// One paged list per commit, `options.concurrency` at a time.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let lists = try await Array(Set(shas)).concurrentMapThrowing(limit: options.concurrency) { sha in (sha, try await list(sha)) }
        return Dictionary(uniqueKeysWithValues: lists)
    }

    private func list(_ sha: String) async throws -> [CommitStatus] {
        struct Page: Decodable { var values: [Item]; var isLastPage: Bool; var nextPageStart: Int? }
        struct Item: Decodable {
            var key: String
            var state: String
            var name: String?
            var description: String?
            var url: String?
            var dateAdded: Double?
            var updatedDate: Double?
        }
        var start: Int? = 0
        var all: [CommitStatus] = []
        while let current = start {
            let response = try await transport.send(.GET, "\(buildsURL(sha))?start=\(current)&limit=100", purpose: .read)
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            let page = try ForgeJSON.decode(Page.self, response, from: transport)
            all += page.values.map {
                CommitStatus(sha: sha, context: $0.key, state: Self.commitState($0.state), description: $0.description ?? "",
                             targetURL: $0.url, title: $0.name,
                             createdAt: ($0.updatedDate ?? $0.dateAdded).map { Date(timeIntervalSince1970: $0 / 1000) },
                             forgeState: $0.state, forgeKey: $0.key)
            }
            start = page.isLastPage ? nil : page.nextPageStart
        }
        return all.latestPerKey()
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
        let body = Body(key: statusKey(forContext: status.context), state: forgeState(for: status.state),
                        name: name.trimmed(toCharacters: Self.fieldLimit), description: description,
                        url: url.trimmed(toCharacters: Self.urlLimit))
        let response = try await transport.send(.POST, buildsURL(status.sha), json: try ForgeJSON.encode(body), purpose: .write)
        guard (200..<300).contains(response.status) else { throw transport.failure(response, sha: status.sha, context: status.context) }
    }
}

extension BitbucketServerForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
