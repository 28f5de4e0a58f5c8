// Gitea/Forgejo commit-status emulator (REST under /api/v1). Strict: it refuses what Gitea refuses.
//
// What it checks, and the source for each (gitea.com/api/swagger#/repository; go-gitea/gitea
// routers/api/v1/repo/status.go and services/repository/commitstatus; forgejo.org/docs/latest/user/api-usage):
// - POST /repos/{o}/{r}/statuses/{sha} → 201: `state` (pending success error failure warning,
//   Gitea also skipped; else 422), `context`, `description`, `target_url`; every POST appends; the
//   answer names the state `status`. Description, context and target URL are whitespace-trimmed
//   before storing (`strings.TrimSpace` in NewCommitStatus).
// - An unknown or malformed sha → 500 "GetCommit[sha]: object does not exist" (the commit lookup
//   fails inside the handler; SPEC section 7).
// - GET /repos/{o}/{r}/commits/{sha}/statuses: newest first, `page`/`limit` (max 50), `Link`
//   rel="next", `X-Total-Count` (docs.gitea.com/development/api-usage#pagination).
// - `Authorization: token …` (or Basic); wrong token → 401. `X-RateLimit-*`; 429 + Retry-After.
import Forges
import Foundation

/// An in-memory Gitea/Forgejo for tests.
public final class GiteaEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Repositories that exist, as `owner/repo`.
    public let repositories: Set<String>
    private let state = LockedBox(StatusStore())
    private var server: EmulatorServer?

    init(configuration: ForgeEmulatorConfiguration, repositories: Set<String>) {
        core = ForgeEmulatorCore(configuration, forge: "gitea")
        self.repositories = repositories
    }

    /// Starts an emulator serving `repositories`.
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(), repositories: Set<String> = ["org/repo"]
    ) async throws -> GiteaEmulator {
        let emulator = GiteaEmulator(configuration: configuration, repositories: repositories)
        emulator.server = try await EmulatorServer { request in
            await emulator.core.handle(request, authorized: emulator.authorized, route: emulator.route)
        }
        return emulator
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server?.baseURL ?? "" }
    /// The git address of a repository on this emulator.
    public func address(_ repository: String = "org/repo") -> String { "\(baseURL)/\(repository).git" }
    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }
    /// Every status of a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().newestFirst(sha) }

    func authorized(_ request: EmulatorRequest) -> Bool { core.presents(request, tokenScheme: true, basicPassword: true) }

    func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard s.count >= 7, s[0] == "api", s[1] == "v1", s[2] == "repos" else { return EmulatorJSON.message(404, "Not Found") }
        guard repositories.contains("\(s[3])/\(s[4])") else { return EmulatorJSON.message(404, "The target couldn't be found.") }
        if request.method == "POST", s.count == 7, s[5] == "statuses" { return create(sha: s[6], request) }
        if request.method == "GET", s.count == 8, s[5] == "commits", s[7] == "statuses" { return list(sha: s[6], request) }
        return EmulatorJSON.message(404, "Not Found")
    }

    private func create(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let word = body["state"] as? String,
            ["pending", "success", "error", "failure", "warning", "skipped"].contains(word)
        else {
            return EmulatorJSON.message(422, "invalid state")
        }
        guard core.commitExists(sha) else {
            return EmulatorJSON.message(500, "GetCommit[\(sha)]: object does not exist [id: \(sha), rel_path: ]")
        }
        func trimmed(_ key: String) -> String? { (body[key] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) }
        let now = core.configuration.clock.now
        let stored = state.withValue { store in
            store.append {
                EmulatedStatus(
                    id: $0, sha: sha, context: trimmed("context").flatMap { $0.isEmpty ? nil : $0 } ?? "default", state: word,
                    description: trimmed("description") ?? "", targetURL: trimmed("target_url"),
                    createdAt: now, updatedAt: now, creator: "fluxstamp")
            }
        }
        return EmulatorJSON.response(201, json(stored))
    }

    private func list(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        let items = state.get().newestFirst(sha)
        let limit = min(50, Int(request.query["limit"] ?? "") ?? 30)
        let page = Int(request.query["page"] ?? "") ?? 1
        let (slice, hasNext) = pageOf(items, page: page, size: limit)
        var headers: [(name: String, value: String)] = [("X-Total-Count", String(items.count))]
        if hasNext { headers.append(("Link", "<\(baseURL)\(request.path)?page=\(page + 1)&limit=\(limit)>; rel=\"next\"")) }
        return EmulatorJSON.response(200, slice.map(json), headers: headers)
    }

    private func json(_ s: EmulatedStatus) -> [String: Any] {
        [
            "id": s.id, "status": s.state, "context": s.context, "description": s.description, "target_url": s.targetURL ?? "",
            "created_at": EmulatorJSON.date(s.createdAt), "updated_at": EmulatorJSON.date(s.updatedAt), "creator": ["login": s.creator],
        ]
    }
}
