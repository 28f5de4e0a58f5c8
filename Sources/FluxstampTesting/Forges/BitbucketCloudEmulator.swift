// Bitbucket Cloud build-status emulator (REST 2.0 under /2.0). Strict: it refuses what Bitbucket
// Cloud refuses, with its error shape (`{"type": "error", "error": {"message": …}}`).
//
// What it checks, and the source for each (developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/,
// the published swagger.v3.json in ../shared/conformance/forge-api, SPEC section 7):
// - POST /2.0/repositories/{ws}/{repo}/commit/{sha}/statuses/build: `key` and `state` required
//   (schema), `key` ≤ 40 characters (observed) → 400, `state` one of SUCCESSFUL FAILED INPROGRESS
//   STOPPED, `url` required and a valid URL (observed) → 400; a status with the same key is
//   overwritten in place; 201 for both (the only success the swagger documents).
// - An unknown or malformed sha → 404 "Commit not found" (reads and writes).
// - GET /2.0/repositories/{ws}/{repo}/commit/{sha}/statuses: body-paged (`values`, `page`,
//   `pagelen` ≤ 100, `size`, `next` URL) (developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination).
// - Basic `email:api_token` (API tokens; app passwords were removed) or `user:app-password`, or a
//   Bearer access token; wrong credential → 401. 1000 requests an hour per token: a spent budget
//   answers 429 with Retry-After (support.atlassian.com/bitbucket-cloud/docs/api-request-limits/).
import Forges
import Foundation

/// An in-memory Bitbucket Cloud for tests.
public final class BitbucketCloudEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Repositories that exist, as `workspace/repo`.
    public let repositories: Set<String>
    private let state = LockedBox(StatusStore())
    private var server: EmulatorServer?

    init(configuration: ForgeEmulatorConfiguration, repositories: Set<String>) {
        core = ForgeEmulatorCore(configuration, forge: "bitbucket")
        self.repositories = repositories
    }

    /// Starts an emulator. The configured token is `user:app-password` for Basic, or a Bearer token.
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(token: "user:app-password"),
        repositories: Set<String> = ["workspace/repo"]
    ) async throws -> BitbucketCloudEmulator {
        let emulator = BitbucketCloudEmulator(configuration: configuration, repositories: repositories)
        emulator.server = try await EmulatorServer { request in
            await emulator.core.handle(request, authorized: emulator.authorized, route: emulator.route)
        }
        return emulator
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server?.baseURL ?? "" }
    /// The git address of a repository on this emulator.
    public func address(_ repository: String = "workspace/repo") -> String { "\(baseURL)/\(repository).git" }
    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }
    /// Every status of a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().newestFirst(sha) }

    func authorized(_ request: EmulatorRequest) -> Bool { core.presents(request, bearer: true, basicUserPassword: true) }

    func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard s.count >= 7, s[0] == "2.0", s[1] == "repositories", s[4] == "commit" else { return EmulatorJSON.message(404, "Not Found") }
        guard repositories.contains("\(s[2])/\(s[3])") else {
            return EmulatorJSON.response(404, ["type": "error", "error": ["message": "Repository \(s[2])/\(s[3]) not found"]])
        }
        guard core.commitExists(s[5]) else {
            return EmulatorJSON.response(
                404,
                ["type": "error", "error": ["message": "Commit not found", "detail": "There is no commit \(s[5]) in this repository"]])
        }
        if request.method == "POST", s.count == 8, s[6] == "statuses", s[7] == "build" { return create(sha: s[5], request) }
        if request.method == "GET", s.count == 7, s[6] == "statuses" { return list(sha: s[5], request) }
        return EmulatorJSON.message(404, "Not Found")
    }

    private func bad(_ message: String) -> EmulatorResponse {
        EmulatorJSON.response(400, ["type": "error", "error": ["message": message]])
    }

    private func create(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request) else { return bad("Bad request") }
        guard let key = body["key"] as? String, !key.isEmpty else { return bad("key: This field is required.") }
        guard key.count <= 40 else { return bad("key: Ensure this value has at most 40 characters (it has \(key.count)).") }
        guard let word = body["state"] as? String, ["SUCCESSFUL", "FAILED", "INPROGRESS", "STOPPED"].contains(word) else {
            return bad("state: invalid")
        }
        guard let url = body["url"] as? String, let parsed = URL(string: url), parsed.scheme != nil, parsed.host != nil else {
            return bad("url: Enter a valid URL.")
        }
        let now = core.configuration.clock.now
        let stored = state.withValue { store -> EmulatedStatus in
            let status = store.upsert {
                EmulatedStatus(
                    id: $0, sha: sha, context: key, state: word, description: body["description"] as? String ?? "",
                    targetURL: url, name: body["name"] as? String, createdAt: now, updatedAt: now, creator: "fluxstamp")
            }
            return status
        }
        // The description documents 201 for this operation, for a new key and an overwrite alike.
        return EmulatorJSON.response(201, json(stored))
    }

    private func list(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        let items = state.get().newestFirst(sha).sorted { $0.updatedAt > $1.updatedAt }
        let pagelen = min(100, Int(request.query["pagelen"] ?? "") ?? 10)
        let page = Int(request.query["page"] ?? "") ?? 1
        let (slice, hasNext) = pageOf(items, page: page, size: pagelen)
        var body: [String: Any] = ["values": slice.map(json), "page": page, "pagelen": pagelen, "size": items.count]
        if hasNext { body["next"] = "\(baseURL)\(request.path)?pagelen=\(pagelen)&page=\(page + 1)" }
        return EmulatorJSON.response(200, body)
    }

    private func json(_ s: EmulatedStatus) -> [String: Any] {
        [
            "type": "build", "key": s.context, "state": s.state, "name": s.name ?? "", "description": s.description,
            "url": s.targetURL ?? "",
            "created_on": EmulatorJSON.date(s.createdAt), "updated_on": EmulatorJSON.date(s.updatedAt),
        ]
    }
}
