import Forges
import Testing

@Suite("State mapping (SPEC section 5)")
struct StateMappingTests {
    static func forge(_ kind: ForgeKind) throws -> any CommitStatusForge {
        let address =
            switch kind {
            case .github: "https://github.com/org/repo"
            case .gitlab: "https://gitlab.com/group/project"
            case .gitea: "https://gitea.example.com/org/repo"
            case .bitbucket: "https://bitbucket.org/ws/repo"
            case .bitbucketserver: "https://bb.example.com/scm/PROJ/repo.git"
            case .azuredevops: "https://dev.azure.com/org/project/_git/repo"
            }
        return try ForgeClient.make(for: ForgeRepository.parse(address, kind: kind), credential: .token(SecretValue("x:y")))
    }

    @Test(
        "succeeded and failed are written as notification-controller writes them",
        arguments: [
            (ForgeKind.github, "success", "failure"), (.gitlab, "success", "failed"), (.gitea, "success", "failure"),
            (.bitbucket, "SUCCESSFUL", "FAILED"), (.bitbucketserver, "SUCCESSFUL", "FAILED"), (.azuredevops, "succeeded", "error"),
        ])
    func writing(_ kind: ForgeKind, _ success: String, _ failure: String) throws {
        let forge = try Self.forge(kind)
        #expect(forge.forgeState(for: .succeeded) == success)
        #expect(forge.forgeState(for: .failed) == failure)
        #expect(["pending", "INPROGRESS"].contains(forge.forgeState(for: .pending)))
    }

    @Test(
        "every state a forge returns maps back",
        arguments: [
            ("github", "success", CommitState.succeeded), ("github", "failure", .failed), ("github", "error", .failed),
            ("github", "pending", .pending), ("github", "EXPECTED", .pending), ("github", "SUCCESS", .succeeded),
            ("gitlab", "success", .succeeded), ("gitlab", "failed", .failed), ("gitlab", "pending", .pending),
            ("gitlab", "running", .running), ("gitlab", "canceled", .canceled), ("gitlab", "skipped", .skipped),
            ("gitea", "success", .succeeded), ("gitea", "failure", .failed), ("gitea", "error", .failed),
            ("gitea", "pending", .pending), ("gitea", "warning", .warning), ("gitea", "skipped", .skipped),
            ("bitbucket", "SUCCESSFUL", .succeeded), ("bitbucket", "FAILED", .failed), ("bitbucket", "INPROGRESS", .running),
            ("bitbucket", "STOPPED", .canceled),
            ("bitbucketserver", "CANCELLED", .canceled), ("bitbucketserver", "UNKNOWN", .unknown),
            ("bitbucketserver", "INPROGRESS", .running),
            ("azuredevops", "succeeded", .succeeded), ("azuredevops", "failed", .failed), ("azuredevops", "error", .failed),
            ("azuredevops", "pending", .pending), ("azuredevops", "notSet", .unknown), ("azuredevops", "notApplicable", .skipped),
        ])
    func reading(_ forge: String, _ word: String, _ state: CommitState) {
        let mapped: CommitState =
            switch forge {
            case "github": GitHubForge.commitState(word)
            case "gitlab": GitLabForge.commitState(word)
            case "gitea": GiteaForge.commitState(word)
            case "bitbucket": BitbucketCloudForge.commitState(word)
            case "bitbucketserver": BitbucketServerForge.commitState(word)
            default: AzureDevOpsForge.commitState(word)
            }
        #expect(mapped == state)
    }

    @Test(
        "status identities: GitHub case-insensitive, Bitbucket SHA-1 keys, Azure genre fluxcd",
        arguments: [
            (ForgeKind.github, "Kustomization/Apps/0c9c2e41", "kustomization/apps/0c9c2e41"),
            (.gitlab, "kustomization/apps/0c9c2e41", "kustomization/apps/0c9c2e41"),
            // printf 'kustomization/apps/0c9c2e41' | sha1sum
            (.bitbucket, "kustomization/apps/0c9c2e41", "534add2e1e94c46fbe0f8e657ba36c652fa8d2dd"),
            (.bitbucketserver, "kustomization/apps/0c9c2e41", "534add2e1e94c46fbe0f8e657ba36c652fa8d2dd"),
            (.azuredevops, "kustomization/apps/0c9c2e41", "fluxcd/kustomization/apps/0c9c2e41"),
        ])
    func keys(_ kind: ForgeKind, _ context: String, _ key: String) throws {
        #expect(try Self.forge(kind).statusKey(forContext: context) == key)
    }

    @Test("descriptions are cut to the forge's limit (Bitbucket Data Center has none)")
    func descriptionLimits() throws {
        let long = String(repeating: "x", count: 300)
        #expect(try Self.forge(.github).storedDescription(long).count == 140)
        #expect(try Self.forge(.gitlab).storedDescription(long).count == 255)
        #expect(try Self.forge(.bitbucketserver).storedDescription(long).count == 300)
    }
}
