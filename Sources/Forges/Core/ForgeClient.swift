/// Builds the right client for a repository.
public enum ForgeClient {
    /// The client for `repository`'s forge, with `credential` and `options`.
    public static func make(
        for repository: ForgeRepository, credential: ForgeCredential,
        options: ForgeOptions = ForgeOptions()
    ) throws(ForgeError) -> any CommitStatusForge {
        switch repository.kind {
        case .github: try GitHubForge(repository: repository, credential: credential, options: options)
        case .gitlab: try GitLabForge(repository: repository, credential: credential, options: options)
        case .gitea: try GiteaForge(repository: repository, credential: credential, options: options)
        case .bitbucket: try BitbucketCloudForge(repository: repository, credential: credential, options: options)
        case .bitbucketserver: try BitbucketServerForge(repository: repository, credential: credential, options: options)
        case .azuredevops: try AzureDevOpsForge(repository: repository, credential: credential, options: options)
        }
    }
}
