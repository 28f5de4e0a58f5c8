import FluxstampTesting
import Forges
import Testing

@Suite("Address parsing and forge detection")
struct ForgeRepositoryTests {
    struct Case: Sendable, CustomStringConvertible {
        var address: String
        var kind: ForgeKind?
        var expectedKind: ForgeKind
        var path: [String]
        var api: String
        var graphQL: String? = nil
        var name: String
        var description: String { address }
    }

    static let cases: [Case] = [
        Case(
            address: "https://github.com/org/repo", expectedKind: .github, path: ["org", "repo"],
            api: "https://api.github.com", graphQL: "https://api.github.com/graphql", name: "github.com/org/repo"),
        Case(
            address: "ssh://git@github.com/org/repo.git", expectedKind: .github, path: ["org", "repo"],
            api: "https://api.github.com", graphQL: "https://api.github.com/graphql", name: "github.com/org/repo"),
        Case(
            address: "git@github.com:org/repo.git", expectedKind: .github, path: ["org", "repo"],
            api: "https://api.github.com", graphQL: "https://api.github.com/graphql", name: "github.com/org/repo"),
        Case(
            address: "https://ghe.example.com:8443/org/repo.git", kind: .github, expectedKind: .github, path: ["org", "repo"],
            api: "https://ghe.example.com:8443/api/v3", graphQL: "https://ghe.example.com:8443/api/graphql",
            name: "ghe.example.com:8443/org/repo"),
        Case(
            address: "http://127.0.0.1:40123/org/repo", kind: .github, expectedKind: .github, path: ["org", "repo"],
            api: "http://127.0.0.1:40123/api/v3", graphQL: "http://127.0.0.1:40123/api/graphql", name: "127.0.0.1:40123/org/repo"),
        Case(
            address: "https://gitlab.com/group/sub/project.git", expectedKind: .gitlab, path: ["group", "sub", "project"],
            api: "https://gitlab.com/api/v4", name: "gitlab.com/group/sub/project"),
        Case(
            address: "git@gitlab.example.com:group/project.git", kind: .gitlab, expectedKind: .gitlab, path: ["group", "project"],
            api: "https://gitlab.example.com/api/v4", name: "gitlab.example.com/group/project"),
        Case(
            address: "https://codeberg.org/org/repo.git", kind: .gitea, expectedKind: .gitea, path: ["org", "repo"],
            api: "https://codeberg.org/api/v1", name: "codeberg.org/org/repo"),
        // Gitea/Forgejo under a path prefix: the last two segments are the repository.
        Case(
            address: "https://git.example.com/gitea/org/repo.git", kind: .gitea, expectedKind: .gitea, path: ["org", "repo"],
            api: "https://git.example.com/gitea/api/v1", name: "git.example.com/org/repo"),
        // GitHub Enterprise Cloud with data residency: detected, API at api.SUBDOMAIN.ghe.com.
        Case(
            address: "https://acme.ghe.com/org/repo.git", expectedKind: .github, path: ["org", "repo"],
            api: "https://api.acme.ghe.com", graphQL: "https://api.acme.ghe.com/graphql", name: "acme.ghe.com/org/repo"),
        Case(
            address: "https://bitbucket.org/workspace/repo.git", expectedKind: .bitbucket, path: ["workspace", "repo"],
            api: "https://api.bitbucket.org/2.0", name: "bitbucket.org/workspace/repo"),
        Case(
            address: "git@bitbucket.org:workspace/repo.git", expectedKind: .bitbucket, path: ["workspace", "repo"],
            api: "https://api.bitbucket.org/2.0", name: "bitbucket.org/workspace/repo"),
        Case(
            address: "https://bitbucket.example.com/scm/PROJ/repo.git", kind: .bitbucketserver, expectedKind: .bitbucketserver,
            path: ["PROJ", "repo"], api: "https://bitbucket.example.com/rest/api/latest", name: "bitbucket.example.com/PROJ/repo"),
        Case(
            address: "https://user@host.example.com:7990/bitbucket/scm/PROJ/repo.git", kind: .bitbucketserver,
            expectedKind: .bitbucketserver,
            path: ["PROJ", "repo"], api: "https://host.example.com:7990/bitbucket/rest/api/latest",
            name: "host.example.com:7990/PROJ/repo"),
        Case(
            address: "https://dev.azure.com/org/project/_git/repo", expectedKind: .azuredevops, path: ["project", "repo"],
            api: "https://dev.azure.com/org", name: "dev.azure.com/org/project/_git/repo"),
        Case(
            address: "https://org@dev.azure.com/org/project/_git/repo", expectedKind: .azuredevops, path: ["project", "repo"],
            api: "https://dev.azure.com/org", name: "dev.azure.com/org/project/_git/repo"),
        Case(
            address: "https://org.visualstudio.com/project/_git/repo", expectedKind: .azuredevops, path: ["project", "repo"],
            api: "https://org.visualstudio.com", name: "org.visualstudio.com/project/_git/repo"),
        Case(
            address: "https://org.visualstudio.com/DefaultCollection/project/_git/repo", expectedKind: .azuredevops,
            path: ["project", "repo"],
            api: "https://org.visualstudio.com/DefaultCollection", name: "org.visualstudio.com/DefaultCollection/project/_git/repo"),
    ]

    @Test("parses addresses the way notification-controller does", arguments: cases)
    func parses(_ c: Case) throws {
        let repository = try ForgeRepository.parse(c.address, kind: c.kind)
        #expect(repository.kind == c.expectedKind)
        #expect(repository.path == c.path)
        #expect(repository.apiBaseURL == c.api)
        #expect(repository.graphQLURL == c.graphQL)
        #expect(repository.description == c.name)
    }

    @Test("a configured host decides the forge")
    func configuredHost() throws {
        let repository = try ForgeRepository.parse("https://git.example.com/org/repo.git", hosts: ["git.example.com": .gitea])
        #expect(repository.kind == .gitea)
        #expect(ForgeKind(providerType: "forgejo") == .gitea)
        #expect(ForgeKind(providerType: "bitbucketserver") == .bitbucketserver)
    }

    @Test("GitLab project ids are the URL-encoded full path")
    func gitLabProjectID() async throws {
        let emulator = try await FluxstampTesting.GitLabEmulator.start(.init(token: "t0ken-value"), projects: ["group/sub/project"])
        let repository = try ForgeRepository.parse(emulator.address("group/sub/project"), kind: .gitlab)
        let forge = try GitLabForge(
            repository: repository, credential: .token(SecretValue("t0ken-value")), options: .init(writePacing: .unlimited))
        try await forge.create(CommitStatus(sha: sha(1), context: "c", state: .succeeded, description: "d"))
        #expect(emulator.core.requests.first?.path.contains("/projects/group%2Fsub%2Fproject/statuses/") == true)
        await emulator.shutdown()
    }

    struct Bad: Sendable, CustomStringConvertible {
        var address: String
        var kind: ForgeKind?
        var says: String
        var description: String { address }
    }

    static let bad: [Bad] = [
        Bad(
            address: "https://git.example.com/org/repo", kind: nil,
            says: "unknown forge host git.example.com; set the Flux Provider's spec.type"),
        Bad(address: "https://github.com/org/repo/extra", kind: nil, says: "exactly OWNER/REPO"),
        Bad(address: "https://gitlab.com/project", kind: nil, says: "GROUP[/SUBGROUP…]/PROJECT"),
        Bad(address: "https://bitbucket.example.com/PROJ/repo.git", kind: .bitbucketserver, says: "/scm/"),
        Bad(address: "https://dev.azure.com/org/project/repo", kind: nil, says: "ORGANIZATION/PROJECT/_git/REPOSITORY"),
        Bad(address: "https://dev.azure.com/project/_git/repo", kind: nil, says: "organization is missing"),
        Bad(address: "not an address", kind: nil, says: "not a git address"),
        Bad(address: "ftp://github.com/org/repo", kind: nil, says: "not a git address"),
    ]

    @Test("addresses that do not fit give a clear error", arguments: bad)
    func rejects(_ c: Bad) {
        #expect {
            _ = try ForgeRepository.parse(c.address, kind: c.kind)
        } throws: { error in
            String(describing: error).hasPrefix(c.address + ": ") && String(describing: error).contains(c.says)
        }
    }

    @Test("a self-managed GitLab under a path prefix: the configured API base takes the prefix off the project path")
    func gitLabPathPrefix() throws {
        let repository = try ForgeRepository.parse("https://git.example.com/gitlab/group/sub/project.git", kind: .gitlab)
            .withAPIBaseURL("https://git.example.com/gitlab/api/v4")
        #expect(repository.path == ["group", "sub", "project"])
        #expect(repository.apiBaseURL == "https://git.example.com/gitlab/api/v4")
    }
}
