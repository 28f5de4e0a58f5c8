import Crypto
import FluxstampTesting
import Forges
import Foundation
import Testing
import _CryptoExtras

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The emulators refuse what the real forges refuse, and the clients report it the way a user can
/// act on: which commit, and why, without retrying an answer that will not change.
@Suite("Strict emulators and what the clients make of them")
struct StrictEmulatorTests {
    /// A commit the repository does not have (the emulators know only `sha(1)`).
    static let unknown = sha(99)

    @Test(
        "a write to an unknown commit is refused as the forge refuses it, reported for that commit, sent once",
        arguments: [
            (ForgeFixture.github, 422, ForgeError.Kind.notFound), (.gitlab, 404, .notFound), (.gitea, 500, .notFound),
            (.bitbucket, 404, .notFound), (.bitbucketServer, 400, .rejected), (.azure, 404, .notFound),
        ])
    func unknownCommitWrite(_ fixture: ForgeFixture, _ status: Int, _ kind: ForgeError.Kind) async throws {
        try await withForge(fixture, emulator: { .init(clock: $0, knownCommits: [sha(1)]) }) { emulator, forge, _ in
            let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(Self.unknown)) }
            #expect(error?.httpStatus == status)
            #expect(error?.kind == kind)
            #expect(error?.sha == Self.unknown)
            #expect(emulator.core.requests.filter { $0.method == "POST" && !$0.path.hasSuffix("graphql") }.count == 1)
            #expect(emulator.stored(Self.unknown).isEmpty)
            #expect(forge.requests.snapshot.retries == 0)
        }
    }

    @Test("reading an unknown commit among known ones answers no statuses for it, not an error", arguments: ForgeFixture.all)
    func unknownCommitRead(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture, emulator: { .init(clock: $0, knownCommits: [sha(1)]) }) { _, forge, _ in
            try await forge.create(succeeded(sha(1)))
            let read = try await forge.statuses(of: [sha(1), Self.unknown], contexts: [context])
            #expect(read[sha(1)]?.count == 1)
            #expect(read[Self.unknown] ?? [] == [])
        }
    }

    @Test("malformed commit ids are refused by every emulator", arguments: ForgeFixture.all)
    func malformedSha(_ fixture: ForgeFixture) async throws {
        try await withForge(fixture) { emulator, forge, _ in
            _ = try? await forge.create(succeeded("not-a-sha"))
            #expect(emulator.core.requests.contains { $0.method == "POST" && $0.status >= 400 })
            #expect(emulator.stored("not-a-sha").isEmpty)
        }
    }

    @Test("Gitea trims whitespace before storing: a trailing space or newline is written once, not every run")
    func giteaTrims() async throws {
        try await withForge(.gitea) { emulator, forge, _ in
            let desired = [
                succeeded(sha(1), description: "reconciliation succeeded "), succeeded(sha(2), description: "deployed with 1a2b3c4\n"),
            ]
            #expect(await forge.writeMissing(desired).allSatisfy(\.isWritten))
            #expect(emulator.stored(sha(1)).first?.description == "reconciliation succeeded")
            #expect(await forge.writeMissing(desired).allSatisfy(\.isAlreadyShown))
            #expect(emulator.stored(sha(1)).count == 1)
        }
    }

    @Test("GitHub counts code points: 71 two-code-point emoji are cut to 70, accepted, and not written again")
    func gitHubCodePoints() async throws {
        try await withForge(.github) { emulator, forge, _ in
            let emoji = CommitStatus(sha: sha(1), context: context, state: .failed, description: String(repeating: "👍🏽", count: 71))
            #expect(await forge.writeMissing([emoji]).first?.isWritten == true)
            #expect(emulator.stored(sha(1)).first?.description.unicodeScalars.count == 140)
            #expect(await forge.writeMissing([emoji]).first?.isAlreadyShown == true)
        }
    }

    @Test("GitLab: ties on created_at are broken by id, so the newer of two statuses written together is current")
    func gitLabTies() async throws {
        try await withForge(.gitlab) { emulator, forge, _ in
            // Both at the same virtual instant, for two refs (GitLab lists the latest per name and
            // ref, ascending by id): the later one is the current status of the context.
            var failed = CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed")
            failed.ref = "main"
            var passed = succeeded(sha(1))
            passed.ref = "v1.0.0"
            try await forge.create(failed)
            try await forge.create(passed)
            #expect(Set(emulator.stored(sha(1)).map(\.createdAt)).count == 1)
            let read = try await forge.statuses(of: sha(1))
            #expect(read.map(\.state) == [.succeeded])
        }
    }

    @Test("GitLab: running → pending is refused with 400 and reported, not counted as written")
    func gitLabRunningToPending() async throws {
        try await withForge(.gitlab) { emulator, forge, _ in
            try await forge.create(CommitStatus(sha: sha(1), context: context, state: .running, description: "applying"))
            let outcome = try #require(
                await forge.writeMissing([CommitStatus(sha: sha(1), context: context, state: .pending, description: "waiting")]).first)
            let error = try #require(outcome.error)
            #expect(error.kind == .rejected)
            #expect(error.httpStatus == 400)
            #expect(error.message.contains("running"))
            #expect(emulator.stored(sha(1)).map(\.state) == ["running"])
        }
    }

    @Test("GitLab: a commit reachable only from a tag needs its ref; with it the write lands and the ref is sent")
    func gitLabRef() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitLabEmulator.start(.init(token: ForgeFixture.gitlab.token, clock: clock), tagOnlyCommits: [sha(1)])
        let forge = try GitLabForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .gitlab),
            credential: .token(SecretValue(ForgeFixture.gitlab.token)), options: .init(writePacing: .unlimited, clock: clock))
        let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
        #expect(error?.kind == .notFound)
        #expect(error?.message.contains("ref") == true)
        var withRef = succeeded(sha(1))
        withRef.ref = "v1.2.3"
        try await forge.create(withRef)
        #expect(emulator.statuses(of: sha(1)).map(\.ref) == ["v1.2.3"])
        await emulator.shutdown()
    }

    @Test("GitHub App JWTs with the wrong issuer are refused, and the message names the App keys")
    func gitHubAppIssuer() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let emulator = try await GitHubEmulator.start(
            .init(token: "unused"), appPublicKey: key.publicKey, appInstallations: ["org": 42], appID: "1234")
        let wrong = GitHubAppCredential(appID: "9999", installationID: "42", privateKeyPEM: SecretValue(key.pemRepresentation))
        let forge = try GitHubForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .github),
            credential: .gitHubApp(wrong), options: .init(writePacing: .unlimited))
        let error = await #expect(throws: ForgeError.self) { try await forge.create(succeeded(sha(1))) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("githubAppID") == true)
        #expect(emulator.statuses(of: sha(1)).isEmpty)
        let right = GitHubAppCredential(appID: "1234", installationID: "42", privateKeyPEM: SecretValue(key.pemRepresentation))
        try await GitHubForge(repository: forge.repository, credential: .gitHubApp(right), options: .init(writePacing: .unlimited))
            .create(succeeded(sha(1)))
        #expect(emulator.statuses(of: sha(1)).count == 1)
        await emulator.shutdown()
    }

    @Test("Bitbucket Data Center refuses a build status without url, Azure DevOps one without a context name")
    func requiredFields() async throws {
        let dc = try await BitbucketServerEmulator.start(.init(token: "BBDC-token"))
        let azure = try await AzureDevOpsEmulator.start(.init(token: "azure-pat"))
        func post(_ url: String, _ auth: String, _ body: String) async throws -> Int {
            var request = URLRequest(url: URL(string: url)!)
            request.setValue("1", forHTTPHeaderField: ForgeEmulatorCore.probeHeader)
            request.httpMethod = "POST"
            request.setValue(auth, forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
            return try await (URLSession.shared.data(for: request).1 as? HTTPURLResponse)?.statusCode ?? 0
        }
        let builds = "\(dc.baseURL)/rest/api/latest/projects/PROJ/repos/repo/commits/\(sha(1))/builds"
        #expect(try await post(builds, "Bearer BBDC-token", #"{"key":"k","state":"SUCCESSFUL"}"#) == 400)
        #expect(try await post(builds, "Bearer BBDC-token", #"{"key":"k","state":"SUCCESSFUL","url":"https://ci"}"#) == 204)
        let statuses = "\(azure.baseURL)/org/project/_apis/git/repositories/repo/commits/\(sha(1))/statuses?api-version=7.1"
        let basic = "Basic " + Data(":azure-pat".utf8).base64EncodedString()
        #expect(try await post(statuses, basic, #"{"state":"succeeded","context":{"genre":"fluxcd"}}"#) == 400)
        #expect(try await post(statuses, basic, #"{"state":"succeeded","context":{"genre":"fluxcd","name":"x"}}"#) == 200)
        await dc.shutdown()
        await azure.shutdown()
    }

    @Test("Azure DevOps Server 2020 accepts api-version 6.0 (the default off dev.azure.com) and refuses 7.1, which can be configured")
    func azureServerAPIVersion() async throws {
        let emulator = try await AzureDevOpsEmulator.start(.init(token: "azure-pat"), maxAPIVersion: 6.0)
        let repository = try ForgeRepository.parse(emulator.address(), kind: .azuredevops)
        let server = try AzureDevOpsForge(
            repository: repository, credential: .token(SecretValue("azure-pat")), options: .init(writePacing: .unlimited))
        #expect(server.apiVersion == "6.0")
        try await server.create(succeeded(sha(1)))
        let services = try AzureDevOpsForge(
            repository: repository, credential: .token(SecretValue("azure-pat")),
            options: .init(writePacing: .unlimited, azureDevOpsAPIVersion: "7.1"))
        let error = await #expect(throws: ForgeError.self) { try await services.create(succeeded(sha(2))) }
        #expect(error?.httpStatus == 400)
        #expect(error?.message.contains("out of range") == true)
        #expect(AzureDevOpsForge.defaultAPIVersion(for: try ForgeRepository.parse("https://dev.azure.com/o/p/_git/r")) == "7.1")
        await emulator.shutdown()
    }
}
