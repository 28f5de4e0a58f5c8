// Azure DevOps commit-status emulator (Git Statuses REST API, api-version 7.1).
//
// Documented behaviours covered (sources: learn.microsoft.com/rest/api/azure/devops/git/statuses/create?view=azure-devops-rest-7.1,
// …/git/statuses/list?view=azure-devops-rest-7.1, learn.microsoft.com/azure/devops/integrate/concepts/rate-limits,
// learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate):
// - POST /{org}/{project}/_apis/git/repositories/{repo}/commits/{sha}/statuses?api-version=7.1:
//   `state` (notSet pending succeeded failed error notApplicable), `description`, `targetUrl`,
//   `context {genre, name}`; every POST appends; answers the stored status.
// - GET same path: `latestOnly=true` keeps the newest per context (genre+name), `top`/`skip`
//   paging; body `{count, value}`; newest first.
// - A missing `api-version` → 400. PAT as the Basic password (any user name); wrong PAT → 401.
// - `X-RateLimit-*` headers; 429 + Retry-After once a configured budget is spent.
import Forges
import Foundation

/// An in-memory Azure DevOps for tests.
public final class AzureDevOpsEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Repositories that exist, as `org/project/repo`.
    public let repositories: Set<String>
    private let state = LockedBox(StatusStore())
    private var server: EmulatorServer?

    init(configuration: ForgeEmulatorConfiguration, repositories: Set<String>) {
        core = ForgeEmulatorCore(configuration)
        self.repositories = repositories
    }

    /// Starts an emulator. The configured token is the PAT.
    public static func start(_ configuration: ForgeEmulatorConfiguration = .init(), repositories: Set<String> = ["org/project/repo"]) async throws -> AzureDevOpsEmulator {
        let emulator = AzureDevOpsEmulator(configuration: configuration, repositories: repositories)
        emulator.server = try await EmulatorServer { request in await emulator.core.handle(request, authorized: emulator.authorized, route: emulator.route) }
        return emulator
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server?.baseURL ?? "" }
    /// The git address of a repository (`…/org/project/_git/repo`).
    public func address(_ org: String = "org", _ project: String = "project", _ repo: String = "repo") -> String {
        "\(baseURL)/\(org)/\(project)/_git/\(repo)"
    }
    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }
    /// Every status of a commit, newest first (context as `genre/name`).
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().newestFirst(sha) }

    func authorized(_ request: EmulatorRequest) -> Bool { core.presents(request, basicPassword: true) }

    func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard s.count == 9, s[2] == "_apis", s[3] == "git", s[4] == "repositories", s[6] == "commits", s[8] == "statuses" else {
            return EmulatorJSON.message(404, "Not Found")
        }
        guard request.query["api-version"] != nil else {
            return EmulatorJSON.response(400, ["message": "No api-version was supplied for the \"POST\" request.", "typeKey": "VssVersionNotSpecifiedException"])
        }
        guard repositories.contains("\(s[0])/\(s[1])/\(s[5])") else {
            return EmulatorJSON.response(404, ["message": "TF401019: The Git repository with name or identifier \(s[5]) does not exist or you do not have permissions.", "typeKey": "GitRepositoryNotFoundException"])
        }
        switch request.method {
        case "POST": return create(sha: s[7], request)
        case "GET": return list(sha: s[7], request)
        default: return EmulatorJSON.message(405, "Method not allowed")
        }
    }

    private func create(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let word = body["state"] as? String,
              ["notSet", "pending", "succeeded", "failed", "error", "notApplicable"].contains(word),
              let context = body["context"] as? [String: Any], let name = context["name"] as? String else {
            return EmulatorJSON.message(400, "state and context.name are required")
        }
        let genre = context["genre"] as? String ?? ""
        let now = core.configuration.clock.now
        let stored = state.withValue { store in
            store.append { EmulatedStatus(id: $0, sha: sha, context: "\(genre)/\(name)", state: word, description: body["description"] as? String ?? "",
                                          targetURL: body["targetUrl"] as? String, name: name, genre: genre, createdAt: now, updatedAt: now, creator: "fluxstamp@example.com") }
        }
        return EmulatorJSON.response(200, json(stored))
    }

    private func list(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        let store = state.get()
        let items = request.query["latestOnly"] == "true" ? store.latestPerContext(sha) : store.newestFirst(sha)
        let top = Int(request.query["top"] ?? "") ?? 1000
        let skip = Int(request.query["skip"] ?? "") ?? 0
        let slice = skip < items.count ? Array(items[skip..<min(items.count, skip + top)]) : []
        return EmulatorJSON.response(200, ["count": slice.count, "value": slice.map(json)])
    }

    private func json(_ s: EmulatedStatus) -> [String: Any] {
        ["id": s.id, "state": s.state, "description": s.description, "targetUrl": s.targetURL ?? NSNull(),
         "context": ["name": s.name ?? "", "genre": s.genre ?? ""], "creationDate": EmulatorJSON.date(s.createdAt),
         "createdBy": ["displayName": "fluxstamp", "uniqueName": s.creator]]
    }
}
