import Foundation

/// Commit statuses on Azure DevOps Services (dev.azure.com, *.visualstudio.com) and Server.
///
/// Writes: `POST {org}/{project}/_apis/git/repositories/{repo}/commits/{sha}/statuses?api-version=7.1`
/// (6.0 on Azure DevOps Server unless configured: `ForgeOptions.azureDevOpsAPIVersion`)
/// with the context `{genre: <genre>, name: <context id>}`: NC's genre, `fluxcd`, or `fluxcd:<summary>`
/// when its events carry a summary (one client per genre); every POST appends.
/// Reads: the same path with `latestOnly=true`, paged by `top`/`skip`. States: notSet, pending,
/// succeeded, failed, error, notApplicable. Credentials: a PAT, sent as the Basic password.
public struct AzureDevOpsForge: CommitStatusForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    /// The genre this client writes and keys statuses under: `fluxcd` (NC's default), or NC's
    /// `fluxcd:<summary>` under an Alert or object summary. Reads list every genre; the planner
    /// matches by `statusKey(forContext:)`.
    public let genre: String
    let transport: ForgeTransport
    let options: ForgeOptions

    /// Statuses per page when reading.
    public static let pageSize = 100
    /// The api-version sent (`ForgeOptions.azureDevOpsAPIVersion`, else by host).
    public let apiVersion: String

    /// The api-version for a host: 7.1 on Azure DevOps Services, 6.0 on Azure DevOps Server (the
    /// highest that Server 2020 accepts; 2022 accepts it too).
    public static func defaultAPIVersion(for repository: ForgeRepository) -> String {
        let host = repository.host.lowercased().split(separator: ":").first.map(String.init) ?? ""
        return host == "dev.azure.com" || host.hasSuffix(".visualstudio.com") ? "7.1" : "6.0"
    }

    /// A client for `repository` with a personal access token.
    public init(
        repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions(),
        genre: String = "fluxcd"
    ) throws(ForgeError) {
        guard repository.kind == .azuredevops else {
            throw ForgeError(
                .configuration, repository: repository.description, message: "not an Azure DevOps repository (\(repository.kind))")
        }
        let header: (String, String)
        switch credential {
        case .token(let token): header = ("Authorization", String.basicAuthorization("", token.revealed))
        case .basic(let user, let password): header = ("Authorization", String.basicAuthorization(user, password.revealed))
        case .gitHubApp:
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "a GitHub App cannot sign in to Azure DevOps; give a PAT in `token`")
        }
        self.repository = repository
        self.genre = genre
        self.options = options
        self.apiVersion = options.azureDevOpsAPIVersion ?? Self.defaultAPIVersion(for: repository)
        self.transport = ForgeTransport(repository: repository, options: options, credential: credential) { [header] }
    }

    /// Requests sent so far.
    public var requests: RequestCounter { transport.counter }

    /// `genre/name`.
    public func statusKey(forContext context: String) -> String { "\(genre)/\(context)" }

    /// Every Azure DevOps state back to neutral.
    public static func commitState(_ word: String) -> CommitState { ForgeKind.azuredevops.commitState(forgeWord: word) }

    func statusesURL(_ sha: String) -> String {
        let (project, repo) = (repository.path[0].pathSegmentEncoded, repository.path[1].pathSegmentEncoded)
        return "\(repository.apiBaseURL)/\(project)/_apis/git/repositories/\(repo)/commits/\(sha)/statuses?api-version=\(apiVersion)"
    }

    /// One `latestOnly` list per commit, `options.concurrency` at a time.
    public func statuses(of shas: [String]) async throws -> [String: [CommitStatus]] {
        let lists = try await Array(Set(shas)).concurrentMapThrowing(limit: options.concurrency) { sha in (sha, try await list(sha)) }
        return Dictionary(uniqueKeysWithValues: lists)
    }

    private func list(_ sha: String) async throws -> [CommitStatus] {
        struct Page: Decodable { var count: Int?; var value: [Item] }
        struct Item: Decodable {
            var state: String
            var description: String?
            var targetUrl: String?
            var context: Context
            var creationDate: Date?
            var createdBy: Creator?
            struct Context: Decodable { var name: String; var genre: String? }
            struct Creator: Decodable { var uniqueName: String?; var displayName: String? }
        }
        var skip = 0
        var all: [CommitStatus] = []
        while true {
            let response = try await transport.send(
                .GET, "\(statusesURL(sha))&latestOnly=true&top=\(Self.pageSize)&skip=\(skip)", purpose: .read)
            // TF401175: the commit is not in the repository, so it has no statuses; writing to it
            // reports the problem.
            if response.status == 404, ForgeTransport.forgeMessage(response.body).contains("TF401175") { return [] }
            guard response.status == 200 else { throw transport.failure(response, sha: sha) }
            let page = try ForgeJSON.decode(Page.self, response, from: transport)
            all += page.value.map {
                CommitStatus(
                    sha: sha, context: $0.context.name, state: Self.commitState($0.state), description: $0.description ?? "",
                    targetURL: $0.targetUrl, createdAt: $0.creationDate, creator: $0.createdBy?.uniqueName ?? $0.createdBy?.displayName,
                    forgeState: $0.state, forgeKey: "\($0.context.genre ?? "")/\($0.context.name)")
            }
            if page.value.count < Self.pageSize { break }
            skip += page.value.count
        }
        return all.latestPerKey()
    }

    /// Appends one status.
    public func create(_ status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var description: String
            var targetUrl: String?
            var context: Context
            struct Context: Encodable { var genre: String; var name: String }
        }
        let body = Body(
            state: forgeState(for: status.state), description: storedDescription(status.description),
            targetUrl: status.targetURL, context: .init(genre: genre, name: status.context))
        // Every POST appends: a write whose answer was lost is re-sent only if Azure DevOps does not show it.
        let response = try await transport.send(
            .POST, statusesURL(status.sha), json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await alreadyShows(status) })
        guard response.status == 200 || response.status == 201 else {
            throw transport.failure(response, sha: status.sha, context: status.context)
        }
    }
}

extension AzureDevOpsForge: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
