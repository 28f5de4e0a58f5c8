/// The forges fluxstamp can write statuses to. Raw values are Flux Provider `spec.type` values.
public enum ForgeKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// GitHub.com and GitHub Enterprise Server.
    case github
    /// GitLab.com and self-managed GitLab.
    case gitlab
    /// Gitea and Forgejo.
    case gitea
    /// Bitbucket Cloud (bitbucket.org).
    case bitbucket
    /// Bitbucket Data Center / Server.
    case bitbucketserver
    /// Azure DevOps Services and Server.
    case azuredevops

    /// A kind from a Flux Provider `spec.type` (or a configuration value); `forgejo` means Gitea.
    public init?(providerType: String) {
        let lower = providerType.lowercased()
        if lower == "forgejo" { self = .gitea; return }
        if lower == "bitbucketdc" || lower == "bitbucket-server" { self = .bitbucketserver; return }
        self.init(rawValue: lower)
    }

    /// The forge's name for people.
    public var description: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .gitea: "Gitea"
        case .bitbucket: "Bitbucket Cloud"
        case .bitbucketserver: "Bitbucket Data Center"
        case .azuredevops: "Azure DevOps"
        }
    }
}
