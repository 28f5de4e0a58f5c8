// Azure DevOps commit-status emulator (Git Statuses REST API, api-version 7.1). Strict: it refuses
// what Azure DevOps refuses.
//
// What it checks, and the source for each (learn.microsoft.com/rest/api/azure/devops/git/statuses/create?view=azure-devops-rest-7.1,
// …/git/statuses/list?view=azure-devops-rest-7.1, the published git 7.1 swagger in
// ../shared/conformance/forge-api, learn.microsoft.com/azure/devops/integrate/concepts/rate-limits):
// - POST /{org}/{project}/_apis/git/repositories/{repo}/commits/{sha}/statuses?api-version=7.1
//   → 200 with the stored GitStatus (the swagger documents 200 only): `state` (notSet pending
//   succeeded failed error notApplicable) and `context.name` required → 400; every POST appends.
// - The genre is optional and part of the status's identity (GitStatusContext: "Genre of the status
//   … can be empty"): `{genre: fluxcd, name: n}`, `{genre: "fluxcd:prod", name: n}` and `{name: n}`
//   are three contexts; a genre-less status is listed without `genre`.
// - GET same path: `latestOnly=true` keeps the newest per context (genre+name), `top`/`skip`
//   paging; body `{count, value}` (the VSS collection envelope around the swagger's array); newest first.
// - A missing `api-version` → 400; an api-version above the server's (Server 2020: 6.0, 2022:
//   7.0; `maxAPIVersion`) → 400 VssInvalidPreviewVersionException-like. An unknown or malformed sha
//   → 404 (TF401175-like "could not be found").
// - PAT as the Basic password (any user name); wrong PAT → 401.
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

    /// The highest api-version the server accepts (Azure DevOps Server 2020: 6.0, 2022: 7.0); nil: any.
    public let maxAPIVersion: Double?

    init(configuration: ForgeEmulatorConfiguration, repositories: Set<String>, maxAPIVersion: Double?) {
        self.maxAPIVersion = maxAPIVersion
        core = ForgeEmulatorCore(configuration, forge: "azuredevops")
        self.repositories = repositories
    }

    /// Starts an emulator. The configured token is the PAT.
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(), repositories: Set<String> = ["org/project/repo"],
        maxAPIVersion: Double? = nil
    ) async throws -> AzureDevOpsEmulator {
        let emulator = AzureDevOpsEmulator(configuration: configuration, repositories: repositories, maxAPIVersion: maxAPIVersion)
        emulator.server = try await EmulatorServer { request in
            await emulator.core.handle(request, authorized: emulator.authorized, route: emulator.route)
        }
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

    /// Stores a status as someone else posted it (notification-controller, an older run), under
    /// `genre` (`""`: none) and `name`, at `date` (default: the clock's now).
    public func seed(
        sha: String, name: String, genre: String = "fluxcd", state word: String, description: String,
        creator: String = "someone", at date: Date? = nil
    ) {
        let now = date ?? core.configuration.clock.now
        _ = state.withValue { store in
            store.append {
                EmulatedStatus(
                    id: $0, sha: sha, context: "\(genre)/\(name)", state: word, description: description, targetURL: nil,
                    name: name, genre: genre, createdAt: now, updatedAt: now, creator: creator)
            }
        }
    }

    func authorized(_ request: EmulatorRequest) -> Bool { core.presents(request, basicPassword: true) }

    func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard s.count == 9, s[2] == "_apis", s[3] == "git", s[4] == "repositories", s[6] == "commits", s[8] == "statuses" else {
            return EmulatorJSON.message(404, "Not Found")
        }
        guard request.query["api-version"] != nil else {
            return EmulatorJSON.response(
                400, ["message": "No api-version was supplied for the \"POST\" request.", "typeKey": "VssVersionNotSpecifiedException"])
        }
        if let max = maxAPIVersion, let asked = Double(request.query["api-version"]?.split(separator: "-").first ?? ""), asked > max {
            return EmulatorJSON.response(
                400,
                [
                    "message":
                        "The requested REST API version of \(asked) is out of range for this server. The latest REST API "
                        + "version this server supports is \(max).",
                    "typeKey": "VssVersionOutOfRangeException",
                ])
        }
        guard repositories.contains("\(s[0])/\(s[1])/\(s[5])") else {
            return EmulatorJSON.response(
                404,
                [
                    "message":
                        "TF401019: The Git repository with name or identifier \(s[5]) does not exist or you do not have permissions.",
                    "typeKey": "GitRepositoryNotFoundException",
                ])
        }
        guard core.commitExists(s[7]) else {
            return EmulatorJSON.response(
                404,
                [
                    "message":
                        "TF401175: The version descriptor <Commit: \(s[7])> could not be resolved to a version in the repository \(s[5])",
                    "typeKey": "GitUnresolvableToCommitException",
                ])
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
            let context = body["context"] as? [String: Any], let name = context["name"] as? String, !name.isEmpty
        else {
            return EmulatorJSON.message(400, "state and context.name are required")
        }
        let genre = context["genre"] as? String ?? ""
        let now = core.configuration.clock.now
        let stored = state.withValue { store in
            store.append {
                EmulatedStatus(
                    id: $0, sha: sha, context: "\(genre)/\(name)", state: word, description: body["description"] as? String ?? "",
                    targetURL: body["targetUrl"] as? String, name: name, genre: genre, createdAt: now, updatedAt: now,
                    creator: "fluxstamp@example.com")
            }
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
        // Azure DevOps leaves out properties it has no value for (no `null`s).
        var json: [String: Any] = [
            "id": s.id, "state": s.state, "description": s.description,
            "context": (s.genre ?? "").isEmpty ? ["name": s.name ?? ""] : ["name": s.name ?? "", "genre": s.genre ?? ""],
            "creationDate": EmulatorJSON.date(s.createdAt),
            "createdBy": ["displayName": "fluxstamp", "uniqueName": s.creator],
        ]
        if let target = s.targetURL { json["targetUrl"] = target }
        return json
    }
}
