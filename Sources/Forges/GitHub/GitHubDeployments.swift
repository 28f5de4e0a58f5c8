import Foundation

/// Deployments on GitHub and GitHub Enterprise Server (docs.github.com rest/deployments).
///
/// Reads: `GET /repos/{o}/{r}/deployments?environment=…&per_page=100` (newest first, Link-paged;
/// one list per environment instead of one per sha, so 500 deployments cost 5 reads), then the
/// latest status of each deployment of a wanted commit with `GET …/deployments/{id}/statuses?per_page=1`
/// (newest first). Writes: `POST …/deployments` with `ref` = the sha (a branch would deploy its
/// tip), `auto_merge: false` (GitHub would otherwise merge the default branch into the ref, and
/// an older commit cannot be deployed), `required_contexts: []` (no commit-status checks: Flux
/// already deployed it), `environment`, `description`, `payload`, `production_environment`; then
/// `POST …/deployments/{id}/statuses` with `state`, `environment_url`, `log_url`,
/// `auto_inactive`. Status descriptions are cut to 140 characters. Shares the commit-status
/// client's transport: the same pacer (80 writes a minute, 500 an hour per identity), retries and breaker.
public struct GitHubDeployments: DeploymentForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let forge: GitHubForge

    /// A client for `repository` (which must be a GitHub repository).
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        forge = try GitHubForge(repository: repository, credential: credential, options: options, usesGraphQL: false)
        self.repository = repository
    }

    /// Requests sent so far.
    public var requests: RequestCounter { forge.requests }

    /// GitHub shows every state.
    public func supports(_ state: DeploymentState) -> Bool { true }

    struct Item: Decodable {
        var id: Int
        var sha: String
        var environment: String
        var created_at: Date?
        var payload: Payload?

        /// GitHub stores a payload given as an object as an object, one given as a string as a string.
        enum Payload: Decodable {
            case fluxstamp(DeploymentPayload)
            case other
            init(from decoder: any Decoder) throws {
                if let payload = try? DeploymentPayload(from: decoder) { self = .fluxstamp(payload) } else { self = .other }
            }
        }
    }

    struct StatusItem: Decodable {
        var state: String
    }

    /// One list of the environment (paged), then the latest status of each deployment of a wanted commit.
    public func deployments(environment: String, shas: Set<String>) async throws -> [DeploymentRecord] {
        let transport = forge.transport
        var url: String? = "\(forge.repoURL)/deployments?environment=\(environment.queryValueEncoded)&per_page=100"
        var items: [Item] = []
        while let next = url {
            let response = try await transport.send(.GET, next, purpose: .read)
            guard response.status == 200 else { throw deploymentFailure(response) }
            items += try ForgeJSON.decode([Item].self, response, from: transport)
            url = LinkHeader.next(response.header("Link"))
        }
        // GitHub lists newest first; ids grow with creation.
        items.sort { $0.id < $1.id }
        let wanted = items.filter { shas.contains($0.sha) }
        let states = try await wanted.concurrentMapThrowing(limit: forge.options.concurrency) { item -> (Int, String?) in
            let response = try await transport.send(
                .GET, "\(forge.repoURL)/deployments/\(item.id)/statuses?per_page=1", purpose: .read)
            guard response.status == 200 else { throw deploymentFailure(response, sha: item.sha) }
            return (item.id, try ForgeJSON.decode([StatusItem].self, response, from: transport).first?.state)
        }
        let latest = Dictionary(states, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            let word = latest[item.id] ?? nil
            var payload: DeploymentPayload?
            if case .fluxstamp(let p) = item.payload { payload = p }
            return DeploymentRecord(
                id: item.id, sha: item.sha, environment: item.environment, state: word.flatMap(Self.state),
                forgeState: word, payload: payload, createdAt: item.created_at)
        }
    }

    /// GitHub's state words back to fluxstamp's (`error` reads as a failure; `queued` and
    /// `pending` as in progress).
    static func state(_ word: String) -> DeploymentState? {
        switch word {
        case "success": .success
        case "failure", "error": .failure
        case "in_progress", "queued", "pending": .inProgress
        case "inactive": .inactive
        default: nil
        }
    }

    /// Creates the deployment, then its first status: two writes.
    public func create(_ write: DeploymentWrite) async throws -> DeploymentRecord {
        struct Body: Encodable {
            var ref: String
            var auto_merge = false
            var required_contexts: [String] = []
            var environment: String
            var description: String
            var payload: DeploymentPayload
            var production_environment: Bool
            var transient_environment = false
        }
        let body = Body(
            ref: write.sha, environment: write.environment, description: write.description, payload: write.payload,
            production_environment: write.productionEnvironment)
        // A lost answer is not re-sent blindly: the environment is read again for a deployment of this commit.
        let response = try await forge.transport.send(
            .POST, "\(forge.repoURL)/deployments", json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await existing(write) != nil })
        let created: DeploymentRecord
        if response.status == 201 {
            let item = try ForgeJSON.decode(Item.self, response, from: forge.transport)
            created = DeploymentRecord(id: item.id, sha: item.sha, environment: item.environment, state: nil, createdAt: item.created_at)
        } else if response.status == 200, response.body.isEmpty, let found = try await existing(write) {
            created = found
        } else {
            throw deploymentFailure(response, sha: write.sha)
        }
        try await setState(of: created, to: write)
        var result = created
        result.state = write.state
        return result
    }

    private func existing(_ write: DeploymentWrite) async throws -> DeploymentRecord? {
        let response = try await forge.transport.send(
            .GET, "\(forge.repoURL)/deployments?environment=\(write.environment.queryValueEncoded)&sha=\(write.sha)&per_page=100",
            purpose: .read)
        guard response.status == 200 else { return nil }
        let items = try ForgeJSON.decode([Item].self, response, from: forge.transport)
        return items.min { $0.id < $1.id }.map {
            DeploymentRecord(id: $0.id, sha: $0.sha, environment: $0.environment, state: nil, createdAt: $0.created_at)
        }
    }

    /// Posts one new status.
    public func setState(of deployment: DeploymentRecord, to write: DeploymentWrite) async throws {
        struct Body: Encodable {
            var state: String
            var description: String
            var environment_url: String?
            var log_url: String?
            var auto_inactive: Bool
        }
        let body = Body(
            state: write.state.rawValue, description: write.description.prefix(codePoints: GitHubForge.descriptionLimit),
            environment_url: write.environmentURL, log_url: write.logURL, auto_inactive: write.autoInactive)
        let response = try await forge.transport.send(
            .POST, "\(forge.repoURL)/deployments/\(deployment.id)/statuses", json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await latestState(deployment.id) == write.state.rawValue })
        guard response.status == 201 || response.status == 200 else { throw deploymentFailure(response, sha: deployment.sha) }
    }

    private func latestState(_ id: Int) async throws -> String? {
        let response = try await forge.transport.send(.GET, "\(forge.repoURL)/deployments/\(id)/statuses?per_page=1", purpose: .read)
        guard response.status == 200 else { return nil }
        return try ForgeJSON.decode([StatusItem].self, response, from: forge.transport).first?.state
    }

    /// A refused deployment request, with what to do for the refusals GitHub documents.
    func deploymentFailure(_ response: ForgeResponse, sha: String? = nil) -> ForgeError {
        let message = forge.transport.scrub(ForgeTransport.forgeMessage(response.body))
        let repo = repository.description
        switch response.status {
        case 403 where !message.lowercased().contains("rate limit"):
            return ForgeError(
                .forbidden, repository: repo, httpStatus: 403, sha: sha,
                message:
                    "403 Forbidden: the credential may not write deployments; it needs `repo_deployment` (classic) or "
                    + "\"Deployments: write\" (fine-grained, or the App's permission)"
                    + (message.isEmpty ? "" : " (GitHub said: \(message))"))
        case 409:
            return ForgeError(
                .rejected, repository: repo, httpStatus: 409, sha: sha,
                message: "409 GitHub refused the deployment (\(message)); fluxstamp sends auto_merge false and no required contexts, "
                    + "so a proxy or an older GitHub Enterprise Server may have changed the request")
        case 422 where sha != nil:
            return ForgeError(
                .notFound, repository: repo, httpStatus: 422, sha: sha,
                message: "422 GitHub refused a deployment of \(sha!) (\(message)); was the commit pushed, or force-pushed away?")
        default:
            return forge.transport.failure(response, sha: sha)
        }
    }
}

extension GitHubDeployments: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
