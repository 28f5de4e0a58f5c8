import FluxstampTesting
import Forges
import Foundation

/// One forge's emulator and client, made the same way for every forge so shared behaviours
/// (create, read, idempotence, paging, retries, rate limits, errors) are tested once for all.
struct ForgeFixture: Sendable, CustomStringConvertible {
    let kind: ForgeKind
    /// The credential the emulator expects and the client sends.
    let token: String
    let start: @Sendable (ForgeEmulatorConfiguration) async throws -> RunningEmulator

    var description: String { kind.rawValue }

    static let all: [ForgeFixture] = [github, gitlab, gitea, bitbucket, bitbucketServer, azure]

    static let github = ForgeFixture(kind: .github, token: "ghp_SECRETtoken123") { config in
        let e = try await GitHubEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
    static let gitlab = ForgeFixture(kind: .gitlab, token: "glpat-SECRETtoken123") { config in
        let e = try await GitLabEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
    static let gitea = ForgeFixture(kind: .gitea, token: "gitea-SECRETtoken123") { config in
        let e = try await GiteaEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
    static let bitbucket = ForgeFixture(kind: .bitbucket, token: "fluxbot:SECRETapppassword123") { config in
        let e = try await BitbucketCloudEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
    static let bitbucketServer = ForgeFixture(kind: .bitbucketserver, token: "BBDC-SECRETtoken123") { config in
        let e = try await BitbucketServerEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
    static let azure = ForgeFixture(kind: .azuredevops, token: "azurepatSECRET123") { config in
        let e = try await AzureDevOpsEmulator.start(config)
        return RunningEmulator(core: e.core, address: e.address(), stored: e.statuses(of:), shutdown: e.shutdown)
    }
}

struct RunningEmulator: Sendable {
    let core: ForgeEmulatorCore
    let address: String
    let stored: @Sendable (String) -> [EmulatedStatus]
    let shutdown: @Sendable () async -> Void
}

/// Runs `body` with a started emulator and a client for it, both on one virtual clock, with
/// unlimited pacing and fast backoff; shuts the emulator down afterwards.
func withForge<T>(
    _ fixture: ForgeFixture, emulator config: (VirtualForgeClock) -> ForgeEmulatorConfiguration = { .init(clock: $0) },
    clientToken: String? = nil, address: ((String) -> String)? = nil, options: ForgeOptions? = nil,
    _ body: (RunningEmulator, any CommitStatusForge, VirtualForgeClock) async throws -> T
) async throws -> T {
    let clock = VirtualForgeClock()
    var configuration = config(clock)
    configuration.token = fixture.token
    let emulator = try await fixture.start(configuration)
    do {
        let repository = try ForgeRepository.parse(address?(emulator.address) ?? emulator.address, kind: fixture.kind)
        let forge = try ForgeClient.make(
            for: repository, credential: .token(SecretValue(clientToken ?? fixture.token)),
            options: options ?? ForgeOptions(writePacing: .unlimited, clock: clock))
        let result = try await body(emulator, forge, clock)
        await emulator.shutdown()
        return result
    } catch {
        await emulator.shutdown()
        throw error
    }
}

/// A deterministic 40-hex commit id.
func sha(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return "c0ffee" + String(repeating: "0", count: 34 - hex.count) + hex
}

let context = "kustomization/apps/0c9c2e41"

func succeeded(_ commit: String, context: String = context, description: String = "reconciliation succeeded") -> CommitStatus {
    CommitStatus(sha: commit, context: context, state: .succeeded, description: description, targetURL: "https://flux.example.com/apps")
}
