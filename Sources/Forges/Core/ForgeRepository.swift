import Foundation
import RepositoryAddress

/// A repository on a forge, parsed from a git address the way notification-controller does it:
/// ssh becomes https, `.git` is stripped, and each forge reads the path its own way.
public struct ForgeRepository: Sendable, Hashable, CustomStringConvertible {
    /// Which forge serves the repository.
    public var kind: ForgeKind
    /// `https` or `http` (ssh addresses become `https`).
    public var scheme: String
    /// Host, with `:port` when the address had one.
    public var host: String
    /// The repository path as the forge names it: `[owner, repo]` (GitHub, Gitea, Bitbucket Cloud),
    /// every group and the project (GitLab), `[projectKey, slug]` (Bitbucket DC), `[project, repo]`
    /// (Azure DevOps; the organisation is part of `apiBaseURL`).
    public var path: [String]
    /// Where the REST API lives, without a trailing slash.
    public var apiBaseURL: String
    /// GitHub's GraphQL endpoint (nil on other forges).
    public var graphQLURL: String?
    /// The address as it was given, for messages.
    public var address: String

    /// `host/path`, e.g. `github.com/org/repo`: how errors and logs name the repository.
    public var description: String { ([host] + displayPath).joined(separator: "/") }

    private var displayPath: [String] {
        switch kind {
        case .azuredevops:
            // The organisation sits in the API base; show it so two organisations never look alike.
            let base = apiBaseURL.split(separator: "/", omittingEmptySubsequences: true).dropFirst(2).map(String.init)
            return base + [path[0], "_git", path[1]]
        default: return path
        }
    }

    /// The same repository with its API served from another base URL (emulators, proxies, or a
    /// forge whose API lives elsewhere). For GitHub the GraphQL URL moves with it (`/graphql`
    /// beside `/api/v3` → `/api/graphql`). For a self-managed GitLab or Gitea under a path prefix
    /// (`https://HOST/gitlab/api/v4` for `https://HOST/gitlab/group/project`), the prefix is taken
    /// off the repository path, so the project is `group/project`.
    public func withAPIBaseURL(_ base: String) -> ForgeRepository {
        var copy = self
        copy.apiBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        if kind == .gitlab || kind == .gitea, let basePath = URLComponents(string: copy.apiBaseURL)?.path {
            let prefix = basePath.split(separator: "/").map(String.init).dropLast(2)  // drop `api/v4` or `api/v1`
            if !prefix.isEmpty, path.count > prefix.count + 1, Array(path.prefix(prefix.count)) == Array(prefix) {
                copy.path = Array(path.dropFirst(prefix.count))
            }
        }
        if kind == .github {
            copy.graphQLURL =
                copy.apiBaseURL.hasSuffix("/api/v3")
                ? String(copy.apiBaseURL.dropLast("/v3".count)) + "/graphql"
                : copy.apiBaseURL + "/graphql"
        }
        return copy
    }
}

/// Why an address could not be turned into a forge repository.
public struct ForgeAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address as given.
    public var address: String
    /// What is wrong and what to do.
    public var reason: String
    /// `address: reason`.
    public var description: String { "\(address): \(reason)" }
}

extension ForgeRepository {
    /// Parses a git address (https, http, ssh or scp-like `git@host:path`) into a repository.
    ///
    /// The forge is `kind` when given (a Flux Provider `spec.type` or configuration), else the
    /// entry of `hosts` for the address's host, else detected from well-known hosts: github.com,
    /// gitlab.com, bitbucket.org, dev.azure.com, *.visualstudio.com and *.ghe.com (GitHub Enterprise
    /// Cloud with data residency, API at `api.SUBDOMAIN.ghe.com`).
    public static func parse(
        _ address: String, kind explicit: ForgeKind? = nil,
        hosts: [String: ForgeKind] = [:]
    ) throws(ForgeAddressError) -> ForgeRepository {
        func fail(_ reason: String) -> ForgeAddressError { ForgeAddressError(address: address, reason: reason) }
        guard let location = RepositoryAddress(address) else {
            throw fail("not a git address; expected https://HOST/PATH, ssh://git@HOST/PATH or git@HOST:PATH")
        }
        let hostName = location.hostName.lowercased()
        guard let kind = explicit ?? hosts[location.host] ?? hosts[hostName] ?? ForgeKind(wellKnownHost: hostName) else {
            throw fail("unknown forge host \(location.host); set the Flux Provider's spec.type or configure the host's forge type")
        }
        let origin = "\(location.scheme)://\(location.host)"
        var path = location.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !path.isEmpty else { throw fail("the address has no repository path") }
        switch kind {
        case .github:
            guard path.count == 2 else { throw fail("a GitHub repository address is exactly OWNER/REPO, got \(path.count) path segments") }
            if hostName == "github.com" {
                return ForgeRepository(
                    kind: kind, scheme: location.scheme, host: location.host, path: path,
                    apiBaseURL: "https://api.github.com", graphQLURL: "https://api.github.com/graphql", address: address)
            }
            if hostName.hasSuffix(".ghe.com"), hostName.split(separator: ".").count == 3 {
                // GitHub Enterprise Cloud with data residency: SUBDOMAIN.ghe.com serves its API at
                // api.SUBDOMAIN.ghe.com, like github.com's, not under /api/v3.
                let api = "https://api.\(hostName)"
                return ForgeRepository(
                    kind: kind, scheme: location.scheme, host: location.host, path: path,
                    apiBaseURL: api, graphQLURL: api + "/graphql", address: address)
            }
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host, path: path,
                apiBaseURL: origin + "/api/v3", graphQLURL: origin + "/api/graphql", address: address)
        case .gitlab:
            guard path.count >= 2 else { throw fail("a GitLab project address is GROUP[/SUBGROUP…]/PROJECT") }
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host, path: path,
                apiBaseURL: origin + "/api/v4", graphQLURL: nil, address: address)
        case .gitea:
            // Gitea/Forgejo may be served under a path prefix (`https://HOST/gitea/OWNER/REPO`,
            // ROOT_URL with a sub-path): the last two segments are the repository, the rest the prefix.
            guard path.count >= 2 else { throw fail("a Gitea/Forgejo repository address is [PREFIX/]OWNER/REPO") }
            let prefix = path.dropLast(2).map { "/" + $0 }.joined()
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host, path: Array(path.suffix(2)),
                apiBaseURL: origin + prefix + "/api/v1", graphQLURL: nil, address: address)
        case .bitbucket:
            guard path.count == 2 else { throw fail("a Bitbucket Cloud repository address is exactly WORKSPACE/REPO") }
            let api = hostName == "bitbucket.org" ? "https://api.bitbucket.org/2.0" : origin + "/2.0"
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host, path: path,
                apiBaseURL: api, graphQLURL: nil, address: address)
        case .bitbucketserver:
            // Anything before the last /scm/ is the server's context path (NC: bitbucketserver.go).
            let full = "/" + path.joined(separator: "/")
            guard let scm = full.range(of: "/scm/", options: .backwards) else {
                throw fail("a Bitbucket Data Center address is the HTTP clone URL with /scm/, e.g. https://HOST/scm/PROJECT/REPO.git")
            }
            let contextPath = String(full[..<scm.lowerBound])
            path = full[scm.upperBound...].split(separator: "/").map(String.init)
            guard path.count == 2 else { throw fail("after /scm/ a Bitbucket Data Center address is exactly PROJECT/REPO") }
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host, path: path,
                apiBaseURL: origin + contextPath + "/rest/api/latest", graphQLURL: nil, address: address)
        case .azuredevops:
            guard let git = path.firstIndex(of: "_git"), git + 2 == path.count, git >= 1 else {
                throw fail("an Azure DevOps address is ORGANIZATION/PROJECT/_git/REPOSITORY")
            }
            let prefix = path[..<(git - 1)]
            if prefix.isEmpty && !hostName.hasSuffix(".visualstudio.com") {
                throw fail("an Azure DevOps address is ORGANIZATION/PROJECT/_git/REPOSITORY (the organization is missing)")
            }
            let base = ([origin] + prefix).joined(separator: "/")
            return ForgeRepository(
                kind: kind, scheme: location.scheme, host: location.host,
                path: [path[git - 1], path[git + 1]], apiBaseURL: base, graphQLURL: nil, address: address)
        }
    }
}

extension ForgeKind {
    /// The forge of a well-known public host.
    init?(wellKnownHost host: String) {
        switch host {
        case "github.com", "www.github.com": self = .github
        case _ where host.hasSuffix(".ghe.com"): self = .github
        case "gitlab.com": self = .gitlab
        case "bitbucket.org": self = .bitbucket
        case "dev.azure.com", "ssh.dev.azure.com": self = .azuredevops
        default:
            if host.hasSuffix(".visualstudio.com") { self = .azuredevops } else { return nil }
        }
    }
}
