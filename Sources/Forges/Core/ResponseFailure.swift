import Foundation

/// Turns a refused response into a `ForgeError` whose message says what to fix.
extension ForgeTransport {
    /// What to check when the credential is rejected, per forge and credential.
    var credentialHint: String {
        switch repository.kind {
        case .github:
            "check the Provider secret's `token` key (or the GitHub App keys `githubAppID`, `githubAppInstallationID`, "
                + "`githubAppPrivateKey`)"
        case .gitlab: "check the Provider secret's `token` key (a GitLab personal, group or project access token)"
        case .gitea: "check the Provider secret's `token` key (a Gitea/Forgejo access token)"
        case .bitbucket:
            "check the Provider secret's `token` key (`EMAIL:API_TOKEN` with an Atlassian API token; app passwords no longer "
                + "work; or an access token)"
        case .bitbucketserver: "check the Provider secret's `token` key (an HTTP access token) or `username`/`password` keys"
        case .azuredevops: "check the Provider secret's `token` key (an Azure DevOps personal access token)"
        }
    }

    /// What permission writing statuses needs, per forge.
    var permissionHint: String {
        switch repository.kind {
        case .github: "the token needs `repo:status` (classic) or \"Commit statuses: write\" (fine-grained, or the App's permission)"
        case .gitlab: "the token needs the `api` scope and at least the Developer role on the project"
        case .gitea: "the token needs the `write:repository` scope"
        case .bitbucket: "the API token needs the `write:repository:bitbucket` scope (an access token the `repository:write` permission)"
        case .bitbucketserver: "the token needs repository write permission (REPO_WRITE) to push build statuses"
        case .azuredevops: "the PAT needs the Code (status) scope on the project"
        }
    }

    /// The error for a response that was not a success and was not retried.
    func failure(_ response: ForgeResponse, sha: String? = nil, context: String? = nil) -> ForgeError {
        let repo = repository.description
        let detail = scrub(Self.forgeMessage(response.body))
        switch response.status {
        case 401:
            return ForgeError(
                .unauthorized, repository: repo, httpStatus: 401, sha: sha, context: context,
                message: "401 Unauthorized: the credential was rejected; \(credentialHint)")
        case 403:
            return ForgeError(
                .forbidden, repository: repo, httpStatus: 403, sha: sha, context: context,
                message: "403 Forbidden: the credential may not write commit statuses here; \(permissionHint)"
                    + (detail.isEmpty ? "" : " (forge said: \(detail))"))
        case 404:
            let what = sha.map { "the repository or commit \($0) was not found" } ?? "the repository was not found"
            return ForgeError(
                .notFound, repository: repo, httpStatus: 404, sha: sha, context: context,
                message:
                    "404 Not Found: \(what), or the credential cannot see it; check the address (\(scrub(repository.address))) "
                    + "and that the credential has access to the repository"
            )
        default:
            return ForgeError(
                .rejected, repository: repo, httpStatus: response.status, sha: sha, context: context,
                message: "\(response.status) the forge refused the request" + (detail.isEmpty ? "" : ": \(detail)"))
        }
    }

    /// The forge's own message from an error body (`message`, `error.message`, `errors[].message`), short.
    static func forgeMessage(_ body: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return String(String(decoding: body, as: UTF8.self).prefix(200))
        }
        var parts: [String] = []
        if let m = object["message"] as? String { parts.append(m) }
        if let m = object["message"] as? [String: Any] { parts.append("\(m)") }
        if let e = object["error"] as? String { parts.append(e) }
        if let e = object["error"] as? [String: Any], let m = e["message"] as? String { parts.append(m) }
        if let errors = object["errors"] as? [[String: Any]] {
            parts += errors.compactMap { $0["message"] as? String }
        }
        return String(parts.joined(separator: "; ").prefix(300))
    }
}
