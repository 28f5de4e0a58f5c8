// GitHub Deployments emulator: the deployment routes of `GitHubEmulator`, under
// /api/v3/repos/{o}/{r}/deployments. Strict: it refuses what GitHub refuses, with GitHub's shapes.
//
// What it checks, and the source for each (docs.github.com rest/deployments/deployments and
// rest/deployments/statuses unless noted):
// - POST …/deployments → 201 with the deployment. `ref` is required (422 "Validation Failed"
//   otherwise); a ref that names no commit → 422 "No ref found for: REF" (the emulator knows
//   commits only, no branch names: fluxstamp deploys shas). `environment` defaults to
//   `production`, `production_environment` to whether it is `production`, `transient_environment`
//   to false, `task` to `deploy`, `description` to "". `payload` is stored as given (object or string).
// - `auto_merge` (default true) merges the default branch into the ref when the ref is behind it;
//   a sha cannot take a merge, so with auto_merge on, a ref that is not `defaultBranchHead` → 409
//   "Conflict merging main into REF." (the documented failure response when the merge cannot happen).
// - `required_contexts`: omitted means every unique context of the commit's statuses, `[]` means
//   none; each required context's latest status must be `success`, a context not yet submitted
//   counts as failing → 409 "Conflict: Commit status checks failed for REF." with
//   `errors[0].contexts` listing each context and state.
// - GET …/deployments: filters `sha`, `ref`, `task`, `environment`; newest first; `per_page`
//   (default 30, max 100) and `page`, `Link: <…>; rel="next"`. GET …/deployments/{id}; unknown → 404.
// - POST …/deployments/{id}/statuses → 201: `state` one of error, failure, inactive, in_progress,
//   queued, pending, success (else 422); `description` over 140 characters → 422; `log_url` also
//   sets `target_url`; `environment_url` stored. `auto_inactive` (default true): a `success` status
//   adds an `inactive` status to every other non-transient deployment of the same repository and
//   environment whose latest status is `success` (only deployments that had a success state).
// - GET …/deployments/{id}/statuses: newest first, paged like the list.
// Not emulated: changing the environment through a status's `environment`, deleting deployments,
// the environments API, the 202 "Auto-merged" answer (no branches are modelled).
import Forges
import Foundation
import Synchronization

/// One deployment as the GitHub emulator stores it.
public struct EmulatedDeployment: Sendable, Hashable {
    /// GitHub's id (grows with creation).
    public var id: Int
    /// `owner/repo`.
    public var repository: String
    /// The deployed commit.
    public var sha: String
    /// The ref as sent.
    public var ref: String
    /// The environment.
    public var environment: String
    /// The deployment's description.
    public var description: String
    /// The payload as JSON text (`{}` when none was sent).
    public var payload: String
    /// `production_environment`.
    public var productionEnvironment: Bool
    /// `transient_environment`.
    public var transientEnvironment: Bool
    /// Creation time on the emulator's clock.
    public var createdAt: Date
    /// Its statuses, oldest first: (state, description, environment URL, log URL).
    public var statuses: [(state: String, description: String, environmentURL: String?, logURL: String?)]

    /// The latest status's state, if any.
    public var state: String? { statuses.last?.state }

    /// One string field of the payload (`firstSeen`, `lastSeen`, `revision`).
    public func payloadValue(_ key: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any])?[key] as? String
    }

    /// Same deployment with as many statuses.
    public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.statuses.count == b.statuses.count }
    /// By id.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// The deployments part of the GitHub emulator.
public final class GitHubDeploymentsEmulator: Sendable {
    private struct State: Sendable {
        var deployments: [EmulatedDeployment] = []
        var nextID = 1
        var nextStatusID = 1
        var defaultBranchHead: String?
    }
    private let state = Mutex(State())

    init() {}

    /// The default branch's tip: the only sha `auto_merge: true` accepts (nil: none does).
    public var defaultBranchHead: String? {
        get { state.withLock { $0.defaultBranchHead } }
        set { state.withLock { $0.defaultBranchHead = newValue } }
    }

    /// Every deployment of a repository (all environments, or one), oldest first.
    public func deployments(_ repository: String = "org/repo", environment: String? = nil) -> [EmulatedDeployment] {
        state.withLock { $0.deployments.filter { $0.repository == repository && (environment == nil || $0.environment == environment) } }
    }

    /// The environments that have deployments, sorted.
    public func environments(_ repository: String = "org/repo") -> [String] {
        Array(Set(deployments(repository).map(\.environment))).sorted()
    }

    /// Adds a deployment directly (fixtures), with one status when `state` is given.
    @discardableResult
    public func seed(
        _ repository: String = "org/repo", sha: String, environment: String, state word: String?, at date: Date
    ) -> Int {
        state.withLock { s in
            var d = EmulatedDeployment(
                id: s.nextID, repository: repository, sha: sha, ref: sha, environment: environment, description: "", payload: "{}",
                productionEnvironment: false, transientEnvironment: false, createdAt: date, statuses: [])
            if let word { d.statuses.append((word, "", nil, nil)) }
            s.nextID += 1
            s.deployments.append(d)
            return d.id
        }
    }

    /// Routes `rest` (the path after `repos/{o}/{r}/`, starting with `deployments`).
    func route(
        _ request: EmulatorRequest, repository: String, rest: [String], core: ForgeEmulatorCore, baseURL: String,
        latestStatuses: (String) -> [EmulatedStatus]
    ) -> EmulatorResponse {
        switch (request.method, rest.count) {
        case ("GET", 1): return list(request, repository: repository, baseURL: baseURL)
        case ("POST", 1): return create(request, repository: repository, core: core, latestStatuses: latestStatuses)
        case ("GET", 2):
            guard let d = find(repository, rest[1]) else { return EmulatorJSON.message(404, "Not Found") }
            return EmulatorJSON.response(200, json(d, baseURL: baseURL))
        case ("GET", 3) where rest[2] == "statuses":
            guard let d = find(repository, rest[1]) else { return EmulatorJSON.message(404, "Not Found") }
            return listStatuses(d, request, baseURL: baseURL)
        case ("POST", 3) where rest[2] == "statuses":
            guard let d = find(repository, rest[1]) else { return EmulatorJSON.message(404, "Not Found") }
            return createStatus(d, request, core: core)
        default: return EmulatorJSON.message(404, "Not Found")
        }
    }

    private func find(_ repository: String, _ id: String) -> EmulatedDeployment? {
        guard let id = Int(id) else { return nil }
        return state.withLock { $0.deployments.first { $0.id == id && $0.repository == repository } }
    }

    private func list(_ request: EmulatorRequest, repository: String, baseURL: String) -> EmulatorResponse {
        let q = request.query
        let all = deployments(repository).filter { d in
            (q["sha"].map { $0 == d.sha } ?? true) && (q["ref"].map { $0 == d.ref } ?? true)
                && (q["task"].map { $0 == "deploy" } ?? true) && (q["environment"].map { $0 == d.environment } ?? true)
        }.reversed().map { $0 }
        let perPage = min(100, Int(q["per_page"] ?? "") ?? 30)
        let page = Int(q["page"] ?? "") ?? 1
        let (items, hasNext) = pageOf(all, page: page, size: perPage)
        return EmulatorJSON.response(200, items.map { json($0, baseURL: baseURL) }, headers: next(request, hasNext, perPage, page, baseURL))
    }

    private func next(_ request: EmulatorRequest, _ hasNext: Bool, _ perPage: Int, _ page: Int, _ baseURL: String) -> [(String, String)] {
        guard hasNext else { return [] }
        var query = request.query
        query["per_page"] = String(perPage)
        query["page"] = String(page + 1)
        let text = query.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.value)"
        }
        return [("Link", "<\(baseURL)\(request.path)?\(text.joined(separator: "&"))>; rel=\"next\"")]
    }

    private func create(
        _ request: EmulatorRequest, repository: String, core: ForgeEmulatorCore, latestStatuses: (String) -> [EmulatedStatus]
    ) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let ref = body["ref"] as? String, !ref.isEmpty else {
            return EmulatorJSON.message(422, "Validation Failed: ref is missing")
        }
        guard core.commitExists(ref.lowercased()) else {
            return EmulatorJSON.response(
                422,
                [
                    "message": "No ref found for: \(ref)",
                    "documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
                ])
        }
        let sha = ref.lowercased()
        if body["auto_merge"] as? Bool ?? true, sha != defaultBranchHead {
            return EmulatorJSON.response(
                409,
                [
                    "message": "Conflict merging main into \(ref).",
                    "documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
                ])
        }
        let latest = Dictionary(latestStatuses(sha).map { ($0.context.lowercased(), $0.state) }, uniquingKeysWith: { a, _ in a })
        let required: [String]
        if let given = body["required_contexts"] as? [String] {
            required = given
        } else {
            required = Array(Set(latestStatuses(sha).map(\.context))).sorted()
        }
        let failing = required.filter { latest[$0.lowercased()] != "success" }
        if !failing.isEmpty {
            let contexts = required.map { ["context": $0, "state": latest[$0.lowercased()] ?? "missing"] }
            return EmulatorJSON.response(
                409,
                [
                    "message": "Conflict: Commit status checks failed for \(ref).",
                    "errors": [["contexts": contexts, "resource": "Deployment", "field": "required_contexts", "code": "invalid"]],
                    "documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
                ])
        }
        let environment = body["environment"] as? String ?? "production"
        let payloadData: Data
        if let payload = body["payload"], !(payload is NSNull),
            let data = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .fragmentsAllowed])
        {
            payloadData = data
        } else {
            payloadData = Data("{}".utf8)
        }
        let now = core.configuration.clock.now
        let made = state.withLock { s -> EmulatedDeployment in
            let d = EmulatedDeployment(
                id: s.nextID, repository: repository, sha: sha, ref: ref, environment: environment,
                description: body["description"] as? String ?? "", payload: String(decoding: payloadData, as: UTF8.self),
                productionEnvironment: body["production_environment"] as? Bool ?? (environment == "production"),
                transientEnvironment: body["transient_environment"] as? Bool ?? false, createdAt: now, statuses: [])
            s.nextID += 1
            s.deployments.append(d)
            return d
        }
        return EmulatorJSON.response(201, json(made, baseURL: ""))
    }

    private static let states: Set<String> = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]

    private func createStatus(_ deployment: EmulatedDeployment, _ request: EmulatorRequest, core: ForgeEmulatorCore) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let word = body["state"] as? String, Self.states.contains(word) else {
            return EmulatorJSON.message(422, "Validation Failed: state is not included in the list")
        }
        let description = body["description"] as? String ?? ""
        if description.unicodeScalars.count > 140 {
            return EmulatorJSON.message(422, "Validation Failed: description is too long (maximum is 140 characters)")
        }
        let logURL = body["log_url"] as? String ?? body["target_url"] as? String
        let environmentURL = body["environment_url"] as? String
        let autoInactive = body["auto_inactive"] as? Bool ?? true
        let id = state.withLock { s -> Int in
            guard let index = s.deployments.firstIndex(where: { $0.id == deployment.id }) else { return 0 }
            s.deployments[index].statuses.append((word, description, environmentURL, logURL))
            if word == "success", autoInactive {
                for other in s.deployments.indices where s.deployments[other].id < deployment.id {
                    let d = s.deployments[other]
                    guard d.repository == deployment.repository, d.environment == deployment.environment, !d.transientEnvironment,
                        d.state == "success"
                    else { continue }
                    s.deployments[other].statuses.append(("inactive", "", d.statuses.last?.environmentURL, nil))
                    s.nextStatusID += 1
                }
            }
            defer { s.nextStatusID += 1 }
            return s.nextStatusID
        }
        let now = core.configuration.clock.now
        return EmulatorJSON.response(
            201,
            [
                "id": id, "state": word, "description": description, "environment": deployment.environment,
                "environment_url": environmentURL ?? "", "log_url": logURL ?? "", "target_url": logURL ?? "",
                "created_at": EmulatorJSON.date(now), "updated_at": EmulatorJSON.date(now), "creator": ["login": "fluxstamp"],
            ])
    }

    private func listStatuses(_ deployment: EmulatedDeployment, _ request: EmulatorRequest, baseURL: String) -> EmulatorResponse {
        let all = deployment.statuses.enumerated().reversed().map { (i, s) -> [String: Any] in
            [
                "id": deployment.id * 1000 + i, "state": s.state, "description": s.description, "environment": deployment.environment,
                "environment_url": s.environmentURL ?? "", "log_url": s.logURL ?? "", "target_url": s.logURL ?? "",
                "created_at": EmulatorJSON.date(deployment.createdAt), "updated_at": EmulatorJSON.date(deployment.createdAt),
                "creator": ["login": "fluxstamp"],
            ]
        }
        let perPage = min(100, Int(request.query["per_page"] ?? "") ?? 30)
        let page = Int(request.query["page"] ?? "") ?? 1
        let (items, hasNext) = pageOf(all, page: page, size: perPage)
        return EmulatorJSON.response(200, items, headers: next(request, hasNext, perPage, page, baseURL))
    }

    private func json(_ d: EmulatedDeployment, baseURL: String) -> [String: Any] {
        let payload = (try? JSONSerialization.jsonObject(with: Data(d.payload.utf8), options: .fragmentsAllowed)) ?? [:]
        return [
            "id": d.id, "sha": d.sha, "ref": d.ref, "task": "deploy", "payload": payload, "environment": d.environment,
            "original_environment": d.environment, "description": d.description, "creator": ["login": "fluxstamp"],
            "created_at": EmulatorJSON.date(d.createdAt), "updated_at": EmulatorJSON.date(d.createdAt),
            "production_environment": d.productionEnvironment, "transient_environment": d.transientEnvironment,
        ]
    }
}
