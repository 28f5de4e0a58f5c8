// GitLab commit-status emulator (REST v4 under /api/v4). Strict: it refuses what GitLab refuses.
//
// What it checks, and the source for each (docs.gitlab.com unless noted):
// - Project id is the URL-encoded full path (`group%2Fsub%2Fproject`) or a number (api/rest/#namespaced-paths).
// - POST /projects/{id}/statuses/{sha} → 201 (api/commits/#set-the-pipeline-status-of-a-commit):
//   `state` (pending running success failed canceled skipped, else 400), `name` (default
//   "default"), `description`, `target_url`, `ref`; the answer names the state `status`; `name`,
//   `description`, `target_url` and `ref` over 255 characters → 400.
// - An unknown or malformed sha → 404 "404 Commit Not Found". Without `ref`, GitLab picks a branch
//   containing the commit; a commit reachable only from a tag or a deleted branch
//   (`tagOnlyCommits`) → 404 "404 References for commit Not Found" (gitlab-org/gitlab
//   lib/api/commit_statuses.rb; SPEC section 7).
// - Repeating pending→pending or running→running, and running→pending → 400 "Cannot transition
//   status via :enqueue from :pending" / ":run from :running" / ":enqueue from :running" (the
//   commit status state machine, app/models/commit_status.rb).
// - A second update to the same sha while one is in progress → 409 (`writeHold` keeps each write
//   in progress for a while so overlapping writes can be seen).
// - GET /projects/{id}/repository/commits/{sha}/statuses (api/commits/#list-the-statuses-of-a-commit):
//   latest per name and ref unless `all=true`, `name=` filter, ordered by id ascending by default
//   (`sort=desc` reverses), `per_page`/`page`, `x-next-page`/`x-page`/`x-total` headers
//   (api/rest/#pagination); created_at has the clock's precision, so statuses written together
//   share it.
// - `PRIVATE-TOKEN` header (or Bearer); wrong token → 401. `RateLimit-*` headers; 429 + Retry-After
//   (user/gitlab_com/#rate-limits-on-gitlabcom).
import Forges
import Foundation

/// An in-memory GitLab for tests.
public final class GitLabEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Projects that exist, by full path.
    public let projects: Set<String>
    /// How long (real seconds) each write stays "in progress".
    public let writeHold: Double
    /// Commits reachable only from a tag or a deleted branch: a write without `ref` is a 404.
    public let tagOnlyCommits: Set<String>
    /// Deployments and environments (GitLabDeploymentsEmulator.swift).
    public let deployments = GitLabDeploymentsEmulator()
    private let state = LockedBox(State())
    private var server: EmulatorServer?

    struct State {
        var store = StatusStore()
        var inProgress: Set<String> = []
        var conflicts = 0
        var staleReads = false
    }

    /// When true, lists answer as if no status had been written yet (a read racing another writer).
    public var staleReads: Bool {
        get { state.get().staleReads }
        set { state.withValue { $0.staleReads = newValue } }
    }

    init(configuration: ForgeEmulatorConfiguration, projects: Set<String>, writeHold: Double, tagOnlyCommits: Set<String>) {
        self.tagOnlyCommits = tagOnlyCommits
        core = ForgeEmulatorCore(configuration, forge: "gitlab", rateHeaderPrefix: "ratelimit-")
        self.projects = projects
        self.writeHold = writeHold
    }

    /// Starts an emulator serving `projects` (full paths, subgroups included).
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(), projects: Set<String> = ["group/project"],
        writeHold: Double = 0, tagOnlyCommits: Set<String> = []
    ) async throws -> GitLabEmulator {
        let emulator = GitLabEmulator(
            configuration: configuration, projects: projects, writeHold: writeHold, tagOnlyCommits: tagOnlyCommits)
        emulator.server = try await EmulatorServer { request in await emulator.handle(request) }
        return emulator
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server?.baseURL ?? "" }
    /// The git address of a project on this emulator.
    public func address(_ project: String = "group/project") -> String { "\(baseURL)/\(project).git" }
    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }
    /// Every status of a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().store.newestFirst(sha) }
    /// Answers the next `times` writes with 409 as if another update were in progress.
    public func conflictNext(times: Int = 1) { state.withValue { $0.conflicts += times } }
    /// How many 409s the emulator answered.
    public var conflictsAnswered: Int { core.requests.filter { $0.status == 409 }.count }

    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        // A write marks its sha in progress for `writeHold`, so a concurrent write to it sees 409.
        if request.method == "POST", let sha = request.segments.last, writeHold > 0 {
            let busy = state.withValue { s -> Bool in
                if s.inProgress.contains(sha) { return true }
                s.inProgress.insert(sha)
                return false
            }
            if busy {
                return await core.handle(request, authorized: { _ in true }) { _ in
                    EmulatorJSON.message(409, "409 Conflict: another update of this commit is in progress")
                }
            }
            try? await Task.sleep(for: .milliseconds(Int(writeHold * 1000)))
            defer { _ = state.withValue { $0.inProgress.remove(sha) } }
            return await core.handle(request, authorized: authorized, route: route)
        }
        return await core.handle(request, authorized: authorized, route: route)
    }

    private func authorized(_ request: EmulatorRequest) -> Bool {
        core.presents(request, bearer: true, header: "PRIVATE-TOKEN")
    }

    private func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard s.count >= 5, s[0] == "api", s[1] == "v4", s[2] == "projects" else { return EmulatorJSON.message(404, "404 Not Found") }
        let project = s[3].removingPercentEncoding ?? s[3]
        guard projects.contains(project) else { return EmulatorJSON.message(404, "404 Project Not Found") }
        let rest = Array(s.dropFirst(4))
        if rest[0] == "deployments" { return deployments.route(request, project: project, rest: rest, core: core) }
        if request.method == "POST", rest.count == 2, rest[0] == "statuses" { return create(sha: rest[1], request) }
        if request.method == "GET", rest.count == 4, rest[0] == "repository", rest[1] == "commits", rest[3] == "statuses" {
            return list(sha: rest[2], request)
        }
        return EmulatorJSON.message(404, "404 Not Found")
    }

    private func create(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let word = body["state"] as? String,
            ["pending", "running", "success", "failed", "canceled", "skipped"].contains(word)
        else {
            return EmulatorJSON.response(400, ["error": "state does not have a valid value"])
        }
        let name = body["name"] as? String ?? "default"
        let description = body["description"] as? String ?? ""
        let target = body["target_url"] as? String
        let ref = body["ref"] as? String
        if [name, description, target ?? "", ref ?? ""].contains(where: { $0.unicodeScalars.count > 255 }) {
            return EmulatorJSON.message(400, "name, description, target_url or ref is too long (maximum is 255 characters)")
        }
        guard core.commitExists(sha) else { return EmulatorJSON.message(404, "404 Commit Not Found") }
        if ref == nil, tagOnlyCommits.contains(sha) { return EmulatorJSON.message(404, "404 References for commit Not Found") }
        let now = core.configuration.clock.now
        let outcome = state.withValue { s -> Either in
            if s.conflicts > 0 {
                s.conflicts -= 1
                return .conflict
            }
            if let current = s.store.newestFirst(sha).first(where: { $0.context == name }),
                (word == "pending" || word == "running"), current.state == word || (current.state == "running" && word == "pending")
            {
                return .transition(word == "pending" ? "enqueue" : "run", current.state)
            }
            return .stored(
                s.store.append {
                    EmulatedStatus(
                        id: $0, sha: sha, context: name, state: word, description: description,
                        targetURL: target, createdAt: now, updatedAt: now, creator: "fluxstamp", ref: ref)
                })
        }
        switch outcome {
        case .conflict: return EmulatorJSON.message(409, "409 Conflict: another update of this commit is in progress")
        case .transition(let event, let from):
            return EmulatorJSON.message(
                400, "Cannot transition status via :\(event) from :\(from) (Reason(s): Status cannot transition via \"\(event)\")")
        case .stored(let status): return EmulatorJSON.response(201, json(status))
        }
    }

    private enum Either { case conflict, transition(String, String), stored(EmulatedStatus) }

    private func list(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        let current = state.get()
        let store = current.staleReads ? StatusStore() : current.store
        // Latest per name and ref: a commit built for two refs (a branch and a tag) keeps one of each.
        var seen = Set<String>()
        var items =
            request.query["all"] == "true"
            ? store.newestFirst(sha)
            : store.newestFirst(sha).filter { seen.insert("\($0.context)\u{0}\($0.ref ?? "")").inserted }
        if let name = request.query["name"] { items = items.filter { $0.context == name } }
        // GitLab orders by id, ascending unless `sort=desc`.
        items.sort { request.query["sort"] == "desc" ? $0.id > $1.id : $0.id < $1.id }
        let perPage = min(100, Int(request.query["per_page"] ?? "") ?? 20)
        let page = Int(request.query["page"] ?? "") ?? 1
        let (slice, hasNext) = pageOf(items, page: page, size: perPage)
        return EmulatorJSON.response(
            200, slice.map(json),
            headers: [
                ("x-page", String(page)), ("x-per-page", String(perPage)), ("x-total", String(items.count)),
                ("x-next-page", hasNext ? String(page + 1) : ""),
            ])
    }

    private func json(_ s: EmulatedStatus) -> [String: Any] {
        [
            "id": s.id, "sha": s.sha, "ref": s.ref ?? NSNull(), "status": s.state, "name": s.context, "description": s.description,
            "target_url": s.targetURL ?? NSNull(), "created_at": EmulatorJSON.date(s.createdAt), "allow_failure": false,
            "author": ["username": s.creator],
        ]
    }
}
