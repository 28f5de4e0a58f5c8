import Foundation

/// Deployments and environments on GitLab (docs.gitlab.com api/deployments).
///
/// Reads: `GET /projects/:id/deployments?environment=…&order_by=id&sort=asc&per_page=100`, paged
/// by `x-next-page`; every deployment carries its `status`, so no read per deployment. Writes:
/// `POST /projects/:id/deployments` with `environment` (GitLab creates the environment on first
/// use), `sha`, `ref`, `tag` and `status` (one request: the status is set at creation), and
/// `PUT /projects/:id/deployments/:deployment_id` with `status` to change it. GitLab has no
/// `inactive`: a replaced deployment stays `success`, and the environment shows the newest one.
/// GitLab has no description or payload on a deployment: the true time is not shown there.
public struct GitLabDeployments: DeploymentForge {
    /// The repository this client writes to.
    public let repository: ForgeRepository
    let forge: GitLabForge

    /// A client for `repository` with a personal, group or project access token.
    public init(repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()) throws(ForgeError) {
        forge = try GitLabForge(repository: repository, credential: credential, options: options)
        self.repository = repository
    }

    /// Requests sent so far.
    public var requests: RequestCounter { forge.requests }

    /// GitLab has no `inactive` deployment status.
    public func supports(_ state: DeploymentState) -> Bool { state != .inactive }

    struct Item: Decodable {
        var id: Int
        var sha: String
        var status: String
        var created_at: Date?
        var environment: Environment?
        struct Environment: Decodable { var name: String }
    }

    /// GitLab's deployment status for a state (`inactive`, which GitLab lacks, stays `success`).
    static func word(_ state: DeploymentState) -> String {
        switch state {
        case .success, .inactive: "success"
        case .failure: "failed"
        case .inProgress: "running"
        }
    }

    static func state(_ word: String) -> DeploymentState? {
        switch word {
        case "success": .success
        case "failed": .failure
        case "running": .inProgress
        default: nil
        }
    }

    /// The environment's deployments with their statuses, oldest first, 100 a page.
    public func deployments(environment: String, shas: Set<String>) async throws -> [DeploymentRecord] {
        var page: String? = "1"
        var items: [Item] = []
        while let current = page, !current.isEmpty {
            let query = "environment=\(environment.queryValueEncoded)&order_by=id&sort=asc&per_page=100&page=\(current)"
            let url = "\(forge.projectURL)/deployments?\(query)"
            let response = try await forge.transport.send(.GET, url, purpose: .read)
            guard response.status == 200 else { throw failure(response) }
            items += try ForgeJSON.decode([Item].self, response, from: forge.transport)
            page = response.header("x-next-page")
        }
        items.sort { $0.id < $1.id }
        return items.map {
            DeploymentRecord(
                id: $0.id, sha: $0.sha, environment: $0.environment?.name ?? environment, state: Self.state($0.status),
                forgeState: $0.status, createdAt: $0.created_at)
        }
    }

    /// Creates the deployment with its status in one request; GitLab creates the environment if needed.
    public func create(_ write: DeploymentWrite) async throws -> DeploymentRecord {
        struct Body: Encodable {
            var environment: String
            var sha: String
            var ref: String
            var tag: Bool
            var status: String
        }
        // GitLab requires a ref; a revision naming none deploys the commit under its own sha.
        let body = Body(
            environment: write.environment, sha: write.sha, ref: write.ref ?? write.sha, tag: write.isTag,
            status: Self.word(write.state))
        let response = try await forge.transport.send(
            .POST, "\(forge.projectURL)/deployments", json: try ForgeJSON.encode(body), purpose: .write,
            alreadyStored: { try await deployments(environment: write.environment, shas: [write.sha]).contains { $0.sha == write.sha } })
        if response.status == 200, response.body.isEmpty,
            let found = try await deployments(environment: write.environment, shas: [write.sha]).last(where: { $0.sha == write.sha })
        {
            return found
        }
        guard response.status == 201 else { throw failure(response, sha: write.sha) }
        let item = try ForgeJSON.decode(Item.self, response, from: forge.transport)
        return DeploymentRecord(
            id: item.id, sha: item.sha, environment: write.environment, state: Self.state(item.status), forgeState: item.status,
            createdAt: item.created_at)
    }

    /// Changes the status with `PUT`.
    public func setState(of deployment: DeploymentRecord, to write: DeploymentWrite) async throws {
        struct Body: Encodable { var status: String }
        let response = try await forge.transport.send(
            .PUT, "\(forge.projectURL)/deployments/\(deployment.id)", json: try ForgeJSON.encode(Body(status: Self.word(write.state))),
            purpose: .write)
        guard response.status == 200 else { throw failure(response, sha: deployment.sha) }
    }

    private func failure(_ response: ForgeResponse, sha: String? = nil) -> ForgeError {
        let message = forge.transport.scrub(ForgeTransport.forgeMessage(response.body))
        if response.status == 403 {
            return ForgeError(
                .forbidden, repository: repository.description, httpStatus: 403, sha: sha,
                message: "403 Forbidden: the token may not create deployments; it needs the `api` scope and at least the Developer role "
                    + "(on a protected environment, permission to deploy there)" + (message.isEmpty ? "" : " (GitLab said: \(message))"))
        }
        if response.status == 400, let sha {
            return ForgeError(
                .rejected, repository: repository.description, httpStatus: 400, sha: sha,
                message: "400 GitLab refused the deployment of \(sha) (\(message)); check that the commit and its ref were pushed")
        }
        return forge.transport.failure(response, sha: sha)
    }
}

extension GitLabDeployments: CustomReflectable {
    /// Only the repository: a debug dump of a client never reaches its credential.
    public var customMirror: Mirror { Mirror(self, children: ["repository": repository.description], displayStyle: .struct) }
}
