// GitHub commit-status emulator (REST v3 under /api/v3, GraphQL at /api/graphql, as GitHub
// Enterprise Server serves them). Strict: it refuses what GitHub refuses, with GitHub's shapes.
//
// What it checks, and the source for each (docs.github.com unless noted):
// - POST /repos/{o}/{r}/statuses/{sha} → 201 with the status (rest/commits/statuses#create-a-commit-status);
//   `state` one of error, failure, pending, success, else 422 "Validation Failed"; every POST
//   appends; at most 1000 statuses per sha and context, then 422 "This SHA and context has reached
//   the maximum number of statuses."; an unknown or malformed sha → 422 "No commit found for SHA: …"
//   (observed; SPEC section 7); `description` over 140 code points → 422 (observed: GitHub counts
//   Unicode scalars); `context` over 255 → 422.
// - GET /repos/{o}/{r}/commits/{sha}/statuses: newest first, `per_page` (max 100) and `page`,
//   `Link: <…>; rel="next"` (rest/commits/statuses#list-commit-statuses-for-a-reference).
// - POST /graphql: `repository(owner:, name:)` with `cN: object(oid:)` aliases and
//   `status { contexts { … } }` (graphql/reference/objects#status: latest per context, states upper
//   case); `object(oid:)` of an unknown commit is `null` (graphql/reference/objects#repository);
//   `rateLimit { cost remaining resetAt }`; an unknown repository is `null` with a NOT_FOUND error.
//   A small parser for exactly the query shape the client sends.
// - Rate limits (rest/using-the-rest-api/rate-limits-for-the-rest-api,
//   graphql/overview/rate-limits-and-query-limits-for-the-graphql-api): `x-ratelimit-limit`,
//   `-remaining`, `-reset` (epoch seconds) and `-resource` (`core` for REST, `graphql` for GraphQL,
//   separate budgets); a spent primary budget answers 403 or 429 with `x-ratelimit-remaining: 0`
//   and the reset, WITHOUT `Retry-After`; a spent GraphQL budget answers HTTP 200 with
//   `errors[].type == "RATE_LIMITED"`; secondary limits (`core.secondaryLimitNext`) answer 403
//   with "secondary rate limit", remaining not 0, and `Retry-After` only sometimes.
// - Contexts compare case-insensitively. Unknown repository → 404. Wrong token → 401.
// - GitHub App (apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app):
//   /orgs|users/{owner}/installation and POST /app/installations/{id}/access_tokens (→ 201) with
//   an RS256 JWT verified with the App's public key, whose `iat` is not in the future, whose `exp`
//   is in the future and at most 10 minutes after `iat`, and whose `iss` is the App id;
//   installation tokens expire after an hour.
import Crypto
import Forges
import Foundation
import _CryptoExtras

/// An in-memory GitHub (Enterprise-style paths) for tests and benchmarks.
public final class GitHubEmulator: @unchecked Sendable {
    /// Shared behaviour: request log, rate budget, injected failures.
    public let core: ForgeEmulatorCore
    /// Repositories that exist, as `owner/repo`.
    public let repositories: Set<String>
    /// Deployments and their statuses (GitHubDeploymentsEmulator.swift).
    public let deployments = GitHubDeploymentsEmulator()
    private let state = LockedBox(State())
    private let appKey: _RSA.Signing.PublicKey?
    private let appInstallations: [String: Int]
    private let appID: String?
    private var server: EmulatorServer?

    struct State {
        var store = StatusStore()
        var installationTokens: [String: Date] = [:]
    }

    /// The most statuses GitHub keeps per sha and context.
    public static let statusesPerContextLimit = 1000

    init(
        configuration: ForgeEmulatorConfiguration, repositories: Set<String>, appKey: _RSA.Signing.PublicKey?,
        appInstallations: [String: Int], appID: String?
    ) {
        // GitHub's primary limit never sends Retry-After: remaining 0 and the reset say it all.
        var configuration = configuration
        configuration.rateLimitRetryAfter = false
        self.core = ForgeEmulatorCore(configuration, forge: "github")
        self.appID = appID
        self.repositories = repositories
        self.appKey = appKey
        self.appInstallations = appInstallations
    }

    /// Starts an emulator serving `repositories`. With `appPublicKey`, GitHub App JWTs signed by the
    /// matching private key are accepted (with `iss` equal to `appID` when given); `appInstallations`
    /// maps owners to installation ids.
    public static func start(
        _ configuration: ForgeEmulatorConfiguration = .init(), repositories: Set<String> = ["org/repo"],
        appPublicKey: _RSA.Signing.PublicKey? = nil, appInstallations: [String: Int] = [:],
        appID: String? = nil
    ) async throws -> GitHubEmulator {
        let emulator = GitHubEmulator(
            configuration: configuration, repositories: repositories, appKey: appPublicKey,
            appInstallations: appInstallations, appID: appID)
        emulator.server = try await EmulatorServer { request in await emulator.handle(request) }
        return emulator
    }

    /// `http://127.0.0.1:PORT`: give `http://127.0.0.1:PORT/owner/repo` with type github.
    public var baseURL: String { server?.baseURL ?? "" }

    /// The git address of a repository on this emulator.
    public func address(_ repository: String = "org/repo") -> String { "\(baseURL)/\(repository)" }

    /// Stops the server.
    public func shutdown() async { await server?.shutdown() }

    /// Every status of a commit, newest first.
    public func statuses(of sha: String) -> [EmulatedStatus] { state.get().store.newestFirst(sha) }

    /// How many statuses are stored in all.
    public var statusCount: Int { state.get().store.count }

    /// Adds a status directly (fixtures), as if `creator` had posted it.
    public func seed(
        sha: String, context: String, state word: String, description: String, creator: String = "someone", at date: Date? = nil
    ) {
        let now = date ?? core.configuration.clock.now
        state.withValue { s in
            _ = s.store.append {
                EmulatedStatus(
                    id: $0, sha: sha, context: context, state: word, description: description, targetURL: nil,
                    createdAt: now, updatedAt: now, creator: creator)
            }
        }
    }

    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let graphQL = request.method == "POST" && request.path == "/api/graphql"
        return await core.handle(
            request, authorized: authorized, resource: graphQL ? "graphql" : "core",
            limited: graphQL
                ? { _ in
                    // GraphQL's spent budget is an HTTP 200 with a RATE_LIMITED error.
                    let message = "API rate limit exceeded for user ID 1."
                    return EmulatorJSON.response(200, ["data": NSNull(), "errors": [["type": "RATE_LIMITED", "message": message]]])
                } : nil, route: route)
    }

    private func authorized(_ request: EmulatorRequest) -> Bool {
        if request.path.hasPrefix("/api/v3/app/") || request.path.hasSuffix("/installation") {
            return verifyJWT(request.header("Authorization"))
        }
        if core.presents(request, bearer: true, tokenScheme: true) { return true }
        guard let auth = request.header("Authorization"), auth.hasPrefix("Bearer ") else { return false }
        let now = core.configuration.clock.now
        return state.get().installationTokens[String(auth.dropFirst(7))].map { $0 > now } ?? false
    }

    private func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        if request.method == "POST", request.path == "/api/graphql" { return graphQL(request) }
        guard s.count >= 2, s[0] == "api", s[1] == "v3" else { return EmulatorJSON.message(404, "Not Found") }
        let rest = Array(s.dropFirst(2))
        switch (request.method, rest.count) {
        case ("POST", 5) where rest[0] == "repos" && rest[3] == "statuses":
            return create(repo: "\(rest[1])/\(rest[2])", sha: rest[4], request)
        case ("GET", 6) where rest[0] == "repos" && rest[3] == "commits" && rest[5] == "statuses":
            return list(repo: "\(rest[1])/\(rest[2])", sha: rest[4], request)
        case (_, 4...6) where rest[0] == "repos" && rest[3] == "deployments" && repositories.contains("\(rest[1])/\(rest[2])"):
            let store = state.get().store
            return deployments.route(
                request, repository: "\(rest[1])/\(rest[2])", rest: Array(rest.dropFirst(3)), core: core, baseURL: baseURL,
                latestStatuses: { store.latestPerContext($0, caseInsensitive: true) })
        case ("GET", 3) where (rest[0] == "orgs" || rest[0] == "users") && rest[2] == "installation":
            guard let id = appInstallations[rest[1]] else { return EmulatorJSON.message(404, "Not Found") }
            return EmulatorJSON.response(200, ["id": id, "account": ["login": rest[1]]])
        case ("POST", 4) where rest[0] == "app" && rest[1] == "installations" && rest[3] == "access_tokens":
            guard appInstallations.values.contains(where: { String($0) == rest[2] }) else { return EmulatorJSON.message(404, "Not Found") }
            let token = "ghs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let expires = core.configuration.clock.now.addingTimeInterval(3600)
            state.withValue { $0.installationTokens[token] = expires }
            return EmulatorJSON.response(
                201, ["token": token, "expires_at": EmulatorJSON.date(expires), "permissions": ["statuses": "write"]])
        default:
            return EmulatorJSON.message(404, "Not Found")
        }
    }

    private func create(repo: String, sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard repositories.contains(repo) else { return EmulatorJSON.message(404, "Not Found") }
        guard let body = EmulatorJSON.object(request), let word = body["state"] as? String,
            ["error", "failure", "pending", "success"].contains(word)
        else {
            return EmulatorJSON.message(422, "Validation Failed: state is not included in the list")
        }
        guard core.commitExists(sha) else {
            return EmulatorJSON.response(
                422,
                [
                    "message": "No commit found for SHA: \(sha)",
                    "documentation_url": "https://docs.github.com/rest/commits/statuses#create-a-commit-status",
                ])
        }
        let context = body["context"] as? String ?? "default"
        let description = body["description"] as? String ?? ""
        if description.unicodeScalars.count > 140 {
            return EmulatorJSON.message(422, "Validation Failed: description is too long (maximum is 140 characters)")
        }
        if context.count > 255 { return EmulatorJSON.message(422, "Validation Failed: context is too long (maximum is 255 characters)") }
        let now = core.configuration.clock.now
        let stored: EmulatedStatus? = state.withValue { s in
            let same = s.store.newestFirst(sha).filter { $0.context.lowercased() == context.lowercased() }.count
            guard same < Self.statusesPerContextLimit else { return nil }
            return s.store.append {
                EmulatedStatus(
                    id: $0, sha: sha, context: context, state: word, description: description,
                    targetURL: body["target_url"] as? String, createdAt: now, updatedAt: now, creator: "fluxstamp")
            }
        }
        guard let stored else {
            return EmulatorJSON.message(422, "Validation Failed: This SHA and context has reached the maximum number of statuses.")
        }
        return EmulatorJSON.response(201, rest(stored))
    }

    private func list(repo: String, sha: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard repositories.contains(repo) else { return EmulatorJSON.message(404, "Not Found") }
        let perPage = min(100, Int(request.query["per_page"] ?? "") ?? 30)
        let page = Int(request.query["page"] ?? "") ?? 1
        let (items, hasNext) = pageOf(state.get().store.newestFirst(sha), page: page, size: perPage)
        var headers: [(name: String, value: String)] = []
        if hasNext {
            headers.append(("Link", "<\(baseURL)\(request.path)?per_page=\(perPage)&page=\(page + 1)>; rel=\"next\""))
        }
        return EmulatorJSON.response(200, items.map(rest), headers: headers)
    }

    private func rest(_ s: EmulatedStatus) -> [String: Any] {
        [
            "id": s.id, "state": s.state, "description": s.description, "target_url": s.targetURL ?? NSNull(), "context": s.context,
            "created_at": EmulatorJSON.date(s.createdAt), "updated_at": EmulatorJSON.date(s.updatedAt), "creator": ["login": s.creator],
        ]
    }

    /// GraphQL cost: one point per 100 requested commits, at least one (GitHub's node-based cost).
    private func graphQL(_ request: EmulatorRequest) -> EmulatorResponse {
        guard let query = EmulatorJSON.object(request)?["query"] as? String,
            let repoMatch = query.firstMatch(of: #/repository\(owner: "([^"]*)", name: "([^"]*)"\)/#)
        else {
            return EmulatorJSON.response(
                200, ["errors": [["message": "Parse error: the emulator understands only fluxstamp's status query"]]])
        }
        let repo = "\(repoMatch.1)/\(repoMatch.2)"
        let aliases = query.matches(of: #/(c[0-9]+): object\(oid: "([0-9a-fA-F]+)"\)/#).map { (String($0.1), String($0.2)) }
        let cost = max(1, (aliases.count + 99) / 100)
        let rateLimit: [String: Any] = [
            "cost": cost, "remaining": 5000 - cost, "resetAt": EmulatorJSON.date(core.configuration.clock.now.addingTimeInterval(3600)),
        ]
        guard repositories.contains(repo) else {
            return EmulatorJSON.response(
                200,
                [
                    "data": ["rateLimit": rateLimit, "repository": NSNull()],
                    "errors": [["type": "NOT_FOUND", "message": "Could not resolve to a Repository with the name '\(repo)'."]],
                ])
        }
        let store = state.get().store
        var objects: [String: Any] = [:]
        for (alias, sha) in aliases {
            let contexts = store.latestPerContext(sha.lowercased(), caseInsensitive: true).map { s -> [String: Any] in
                [
                    "context": s.context, "state": s.state.uppercased(), "description": s.description, "targetUrl": s.targetURL ?? NSNull(),
                    "createdAt": EmulatorJSON.date(s.createdAt), "creator": ["login": s.creator],
                ]
            }
            // GitHub answers `null` for an object it does not have.
            objects[alias] =
                core.commitExists(sha.lowercased())
                ? ["oid": sha, "status": contexts.isEmpty ? NSNull() : ["contexts": contexts]] as [String: Any]
                : NSNull()
        }
        return EmulatorJSON.response(200, ["data": ["rateLimit": rateLimit, "repository": objects]])
    }

    private func verifyJWT(_ header: String?) -> Bool {
        guard let appKey, let header, header.hasPrefix("Bearer ") else { return false }
        let parts = header.dropFirst(7).split(separator: ".").map(String.init)
        guard parts.count == 3, let signature = Data(base64URL: parts[2]),
            let payloadData = Data(base64URL: parts[1]),
            let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
            let exp = payload["exp"] as? Double, let iat = payload["iat"] as? Double
        else { return false }
        // GitHub: iat not in the future, exp in the future and no more than 10 minutes after iat, iss the App id.
        let now = core.configuration.clock.now.timeIntervalSince1970
        guard iat <= now, exp > now, exp - iat <= 600, appID.map({ payload["iss"] as? String == $0 }) ?? (payload["iss"] != nil) else {
            return false
        }
        return appKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature),
            for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5)
    }
}

extension Data {
    /// Decodes base64url without padding.
    init?(base64URL text: String) {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        self.init(base64Encoded: base)
    }
}
