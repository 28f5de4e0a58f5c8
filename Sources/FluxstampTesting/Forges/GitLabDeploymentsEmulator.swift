// GitLab deployments emulator: the deployment routes of `GitLabEmulator`, under
// /api/v4/projects/{id}/deployments. Strict: it refuses what GitLab refuses, with GitLab's shapes.
//
// What it checks, and the source for each (docs.gitlab.com api/deployments unless noted):
// - POST /projects/:id/deployments → 201: `environment`, `sha`, `ref` (strings) and `tag`
//   (boolean) are required, a missing one → 400 {"error": "NAME is missing"}; `status` one of
//   running, success, failed, canceled → else 400 {"error": "status does not have a valid value"}.
//   An unknown sha → 400 {"message": {"sha": ["The commit does not exist"]}} (the Deployment
//   model's `valid_sha` validation, app/models/deployment.rb). The environment is created on first
//   use (`environments.safe_find_or_create_by(name:)` in lib/api/deployments.rb).
// - PUT /projects/:id/deployments/:deployment_id with `status` (running, success, failed,
//   canceled; else 400) → 200; a status equal to the current one → 400 "Cannot transition status"
//   (the state machine: `succeed`, `drop` and `cancel` transition from any state but their own).
//   An unknown deployment → 404 {"message": "404 Not found"}.
// - GET /projects/:id/deployments: filters `environment` and `status`; `order_by` id (default),
//   iid, created_at, updated_at or ref; `sort` asc (default) or desc; `per_page` (default 20, max
//   100) and `page` with `x-next-page`, `x-page`, `x-total` headers (api/rest/#pagination).
// - Each deployment has `id`, `iid` (per project), `sha`, `ref`, `status`, `created_at`,
//   `updated_at`, `user`, `environment { id, name }`, `deployable: null` (no CI job).
import Forges
import Foundation
import Synchronization

/// One GitLab deployment as the emulator stores it.
public struct EmulatedGitLabDeployment: Sendable, Hashable {
    /// Global id (grows with creation).
    public var id: Int
    /// Per-project id.
    public var iid: Int
    /// The project's full path.
    public var project: String
    /// The environment's name.
    public var environment: String
    /// The deployed commit.
    public var sha: String
    /// The ref as sent.
    public var ref: String
    /// Whether the ref is a tag.
    public var tag: Bool
    /// The current status.
    public var status: String
    /// Every status it had, oldest first.
    public var history: [String]
    /// Creation time on the emulator's clock.
    public var createdAt: Date
}

/// The deployments part of the GitLab emulator.
public final class GitLabDeploymentsEmulator: Sendable {
    private struct State: Sendable {
        var deployments: [EmulatedGitLabDeployment] = []
        var environments: [String: [String: Int]] = [:]
        var nextID = 1
        var nextEnvironmentID = 1
    }
    private let state = Mutex(State())

    init() {}

    /// Every deployment of a project (all environments, or one), oldest first.
    public func deployments(_ project: String = "group/project", environment: String? = nil) -> [EmulatedGitLabDeployment] {
        state.withLock { $0.deployments.filter { $0.project == project && (environment == nil || $0.environment == environment) } }
    }

    /// The project's environments, sorted by name.
    public func environments(_ project: String = "group/project") -> [String] {
        state.withLock { ($0.environments[project] ?? [:]).keys.sorted() }
    }

    private static let statuses: Set<String> = ["running", "success", "failed", "canceled"]

    /// Routes `rest` (the path after `projects/:id/`, starting with `deployments`).
    func route(_ request: EmulatorRequest, project: String, rest: [String], core: ForgeEmulatorCore) -> EmulatorResponse {
        switch (request.method, rest.count) {
        case ("GET", 1): return list(request, project: project)
        case ("POST", 1): return create(request, project: project, core: core)
        case ("GET", 2):
            guard let d = deployments(project).first(where: { String($0.id) == rest[1] }) else {
                return EmulatorJSON.message(404, "404 Not found")
            }
            return EmulatorJSON.response(200, json(d))
        case ("PUT", 2): return update(request, project: project, id: rest[1], core: core)
        default: return EmulatorJSON.message(404, "404 Not Found")
        }
    }

    private func create(_ request: EmulatorRequest, project: String, core: ForgeEmulatorCore) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request) else { return EmulatorJSON.response(400, ["error": "environment is missing"]) }
        for name in ["environment", "sha", "ref"] where !(body[name] is String) {
            return EmulatorJSON.response(400, ["error": "\(name) is missing"])
        }
        guard let tag = body["tag"] as? Bool else { return EmulatorJSON.response(400, ["error": "tag is missing"]) }
        guard let status = body["status"] as? String, Self.statuses.contains(status) else {
            return EmulatorJSON.response(400, ["error": "status does not have a valid value"])
        }
        let (environment, sha, ref) = (body["environment"] as! String, (body["sha"] as! String).lowercased(), body["ref"] as! String)
        guard core.commitExists(sha) else { return EmulatorJSON.response(400, ["message": ["sha": ["The commit does not exist"]]]) }
        let now = core.configuration.clock.now
        let made = state.withLock { s -> EmulatedGitLabDeployment in
            if s.environments[project]?[environment] == nil {
                s.environments[project, default: [:]][environment] = s.nextEnvironmentID
                s.nextEnvironmentID += 1
            }
            let iid = s.deployments.filter { $0.project == project }.count + 1
            let d = EmulatedGitLabDeployment(
                id: s.nextID, iid: iid, project: project, environment: environment, sha: sha, ref: ref, tag: tag, status: status,
                history: [status], createdAt: now)
            s.nextID += 1
            s.deployments.append(d)
            return d
        }
        return EmulatorJSON.response(201, json(made))
    }

    private func update(_ request: EmulatorRequest, project: String, id: String, core: ForgeEmulatorCore) -> EmulatorResponse {
        guard let status = EmulatorJSON.object(request)?["status"] as? String, Self.statuses.contains(status) else {
            return EmulatorJSON.response(400, ["error": "status does not have a valid value"])
        }
        enum Outcome { case missing, same(String), updated(EmulatedGitLabDeployment) }
        let outcome = state.withLock { s -> Outcome in
            guard let index = s.deployments.firstIndex(where: { String($0.id) == id && $0.project == project }) else { return .missing }
            if s.deployments[index].status == status { return .same(status) }
            s.deployments[index].status = status
            s.deployments[index].history.append(status)
            return .updated(s.deployments[index])
        }
        switch outcome {
        case .missing: return EmulatorJSON.message(404, "404 Not found")
        case .same(let status): return EmulatorJSON.message(400, "Cannot transition status from :\(status) to :\(status)")
        case .updated(let d): return EmulatorJSON.response(200, json(d))
        }
    }

    private func list(_ request: EmulatorRequest, project: String) -> EmulatorResponse {
        let q = request.query
        var items = deployments(project).filter { d in
            (q["environment"].map { $0 == d.environment } ?? true) && (q["status"].map { $0 == d.status } ?? true)
        }
        let descending = q["sort"] == "desc"
        switch q["order_by"] ?? "id" {
        case "ref": items.sort { ($0.ref, $0.id) < ($1.ref, $1.id) }
        case "created_at", "updated_at": items.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        default: items.sort { $0.id < $1.id }
        }
        if descending { items.reverse() }
        let perPage = min(100, Int(q["per_page"] ?? "") ?? 20)
        let page = Int(q["page"] ?? "") ?? 1
        let (slice, hasNext) = pageOf(items, page: page, size: perPage)
        return EmulatorJSON.response(
            200, slice.map(json),
            headers: [
                ("x-page", String(page)), ("x-per-page", String(perPage)), ("x-total", String(items.count)),
                ("x-next-page", hasNext ? String(page + 1) : ""),
            ])
    }

    private func json(_ d: EmulatedGitLabDeployment) -> [String: Any] {
        let environmentID = state.withLock { $0.environments[d.project]?[d.environment] } ?? 0
        return [
            "id": d.id, "iid": d.iid, "sha": d.sha, "ref": d.ref, "status": d.status, "created_at": EmulatorJSON.date(d.createdAt),
            "updated_at": EmulatorJSON.date(d.createdAt), "user": ["username": "fluxstamp"],
            "environment": ["id": environmentID, "name": d.environment], "deployable": NSNull(),
        ]
    }
}
