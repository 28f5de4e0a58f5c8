// Bitbucket Data Center build-status emulator (REST under [context path]/rest/api/latest). Strict:
// it refuses what Data Center refuses, with its error shape (`{"errors": [{"message": …}]}`).
//
// What it checks, and the source for each (developer.atlassian.com/server/bitbucket/rest/v906/api-group-builds-and-deployments/,
// the published 9.2 swagger.v3.json in ../shared/conformance/forge-api, SPEC section 7; the read as
// notification-controller's `duplicateBitbucketServerStatus` sends it):
// - POST /rest/api/latest/projects/{KEY}/repos/{slug}/commits/{sha}/builds → 204: `key`, `state`
//   (SUCCESSFUL FAILED INPROGRESS CANCELLED UNKNOWN) and `url` required → 400; `key` and `name`
//   ≤ 255 characters, `url` ≤ 450 → 400; the description has no limit; the same key overwrites.
// - An unknown or malformed sha → 400 (the swagger: "an invalid commit hash was provided").
// - GET same path `?key=<key>` (since 7.14): 200 with the ONE build status object for that key
//   (`key`, `state`, `name`, `description`, `url`, `createdDate`, `updatedDate` in epoch
//   milliseconds), 404 when the commit has none with that key; `key` is a required query
//   parameter (swagger), so a GET without it → 400. Before 7.14 (`before714`) the resource takes
//   POST only: a GET is 405.
// - Bearer HTTP access token or Basic user:password; wrong credential → 401. An optional context
//   path before /rest. 429 + Retry-After once a configured budget is spent.
import Forges
import Foundation

/// An in-memory Bitbucket Data Center for tests.
public final class BitbucketServerEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Repositories that exist, as `KEY/slug`.
    public let repositories: Set<String>
    /// The context path the server is mounted under (e.g. `/bitbucket`), or empty.
    public let contextPath: String
    /// A server older than 7.14: the builds resource takes POST only, a GET is 405.
    public let before714: Bool
    private let state = LockedBox(StatusStore())
    private var server: EmulatorServer?

    init(configuration: ForgeEmulatorConfiguration, repositories: Set<String>, contextPath: String, before714: Bool) {
        self.before714 = before714
        core = ForgeEmulatorCore(configuration, forge: "bitbucketserver", emulatesDescribedVersion: !before714)
        self.repositories = repositories
        self.contextPath = contextPath
    }

    /// Starts an emulator. The configured token is a Bearer token, or `user:password` for Basic.
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(), repositories: Set<String> = ["PROJ/repo"],
        contextPath: String = "", before714: Bool = false
    ) async throws -> BitbucketServerEmulator {
        let emulator = BitbucketServerEmulator(
            configuration: configuration, repositories: repositories, contextPath: contextPath,
            before714: before714)
        emulator.server = try await EmulatorServer { request in
            await emulator.core.handle(request, authorized: emulator.authorized, route: emulator.route)
        }
        return emulator
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server?.baseURL ?? "" }
    /// The HTTP clone address of a repository (`…/scm/KEY/slug.git`).
    public func address(_ repository: String = "PROJ/repo") -> String { "\(baseURL)\(contextPath)/scm/\(repository).git" }
    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }
    /// Every status of a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().newestFirst(sha) }

    func authorized(_ request: EmulatorRequest) -> Bool { core.presents(request, bearer: true, basicUserPassword: true) }

    func route(_ request: EmulatorRequest) -> EmulatorResponse {
        guard request.path.hasPrefix(contextPath + "/rest/api/latest/") else { return notFound("Not Found") }
        let s = request.path.dropFirst((contextPath + "/rest/api/latest/").count).split(separator: "/").map(String.init)
        guard s.count == 7, s[0] == "projects", s[2] == "repos", s[4] == "commits", s[6] == "builds" else { return notFound("Not Found") }
        guard repositories.contains("\(s[1])/\(s[3])") else { return notFound("Repository \(s[1])/\(s[3]) does not exist.") }
        guard core.commitExists(s[5]) else {
            return bad("Commit '\(s[5])' does not exist in repository '\(s[3])'.")
        }
        switch request.method {
        case "POST": return create(sha: s[5], request)
        case "GET" where before714: return EmulatorJSON.response(405, ["errors": [["message": "Method Not Allowed"]]])
        case "GET": return read(sha: s[5], request)
        default: return notFound("Not Found")
        }
    }

    private func notFound(_ message: String) -> EmulatorResponse { EmulatorJSON.response(404, ["errors": [["message": message]]]) }
    private func bad(_ message: String) -> EmulatorResponse { EmulatorJSON.response(400, ["errors": [["message": message]]]) }

    private func create(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let body = EmulatorJSON.object(request), let key = body["key"] as? String, let word = body["state"] as? String,
            ["SUCCESSFUL", "FAILED", "INPROGRESS", "CANCELLED", "UNKNOWN"].contains(word)
        else { return bad("key and a valid state are required") }
        let name = body["name"] as? String ?? "", description = body["description"] as? String ?? ""
        guard let url = body["url"] as? String, !url.isEmpty else { return bad("url is required") }
        if key.isEmpty || key.utf16.count > 255 || name.utf16.count > 255 { return bad("key and name are limited to 255 characters") }
        if url.utf16.count > 450 { return bad("url is limited to 450 characters") }
        let now = core.configuration.clock.now
        state.withValue { store in
            _ = store.upsert {
                EmulatedStatus(
                    id: $0, sha: sha, context: key, state: word, description: description, targetURL: url,
                    name: name, createdAt: now, updatedAt: now, creator: "fluxstamp")
            }
        }
        return EmulatorResponse(status: 204)
    }

    private func read(sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard let key = request.query["key"], !key.isEmpty else { return bad("the build status key is required (?key=)") }
        guard let found = state.get().newestFirst(sha).first(where: { $0.context == key }) else {
            return notFound("No build status for key \(key) on commit \(sha)")
        }
        return EmulatorJSON.response(200, json(found))
    }

    private func json(_ s: EmulatedStatus) -> [String: Any] {
        [
            "key": s.context, "state": s.state, "name": s.name ?? "", "description": s.description, "url": s.targetURL ?? "",
            "createdDate": Int(s.createdAt.timeIntervalSince1970 * 1000), "updatedDate": Int(s.updatedAt.timeIntervalSince1970 * 1000),
        ]
    }
}
