import FluxstampTesting
import Forges
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Bitbucket, Gitea and Azure DevOps quirks")
struct BitbucketAndAzureTests {
    @Test("Bitbucket Cloud overwrites by key, keys are SHA-1 hex, url always valid, name as NC posts it")
    func bitbucketCloud() async throws {
        let emulator = try await BitbucketCloudEmulator.start()
        let forge = try BitbucketCloudForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .bitbucket),
            credential: .token(SecretValue("user:app-password")), options: .init(writePacing: .unlimited))
        try await forge.create(
            CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed", targetURL: "not a url"))
        try await forge.create(CommitStatus(sha: sha(1), context: context, state: .succeeded, description: "reconciliation succeeded"))
        let stored = emulator.statuses(of: sha(1))
        #expect(stored.count == 1)
        #expect(stored[0].context == "534add2e1e94c46fbe0f8e657ba36c652fa8d2dd")
        #expect(stored[0].state == "SUCCESSFUL")
        #expect(stored[0].name == "kustomization/apps")
        #expect(stored[0].targetURL == "https://bitbucket.org")
        #expect(emulator.core.requests.map(\.status) == [201, 201])
        await emulator.shutdown()
    }

    @Test("the Bitbucket Cloud emulator refuses keys over 40 characters and invalid urls")
    func bitbucketCloudValidation() async throws {
        let emulator = try await BitbucketCloudEmulator.start()
        func post(_ body: String) async throws -> Int {
            var request = URLRequest(
                url: URL(string: "\(emulator.baseURL)/2.0/repositories/workspace/repo/commit/\(sha(1))/statuses/build")!)
            request.setValue("1", forHTTPHeaderField: ForgeEmulatorCore.probeHeader)
            request.httpMethod = "POST"
            request.setValue("Basic " + Data("user:app-password".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
            request.httpBody = Data(body.utf8)
            return try await (URLSession.shared.data(for: request).1 as? HTTPURLResponse)?.statusCode ?? 0
        }
        #expect(
            try await post(#"{"type":"build","key":"\#(context)-and-more-characters","state":"FAILED","url":"https://x.example"}"#) == 400)
        #expect(try await post(#"{"type":"build","key":"k","state":"FAILED","url":"nope"}"#) == 400)
        #expect(try await post(#"{"type":"build","key":"k","state":"FAILED","url":"https://x.example"}"#) == 201)
        await emulator.shutdown()
    }

    @Test("Bitbucket DC under a context path: Bearer token, overwrite by key, NC's name with description")
    func bitbucketServer() async throws {
        let emulator = try await BitbucketServerEmulator.start(.init(token: "BBDC-token-value"), contextPath: "/bitbucket")
        let repository = try ForgeRepository.parse(emulator.address(), kind: .bitbucketserver)
        #expect(repository.apiBaseURL == emulator.baseURL + "/bitbucket/rest/api/latest")
        let forge = try BitbucketServerForge(
            repository: repository, credential: .token(SecretValue("BBDC-token-value")),
            options: .init(writePacing: .unlimited))
        let results = await forge.writeMissing([
            CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed")
        ])
        #expect(results[0].isWritten)
        _ = await forge.writeMissing([succeeded(sha(1))])
        let stored = emulator.statuses(of: sha(1))
        #expect(stored.count == 1)
        #expect(stored[0].name == "kustomization/apps [reconciliation succeeded]")
        #expect(stored[0].state == "SUCCESSFUL")
        #expect(await forge.writeMissing([succeeded(sha(1))])[0].isAlreadyShown)
        await emulator.shutdown()
    }

    @Test("Azure DevOps Server appends, posts genre fluxcd with api-version 6.0, and reads latestOnly")
    func azure() async throws {
        let emulator = try await AzureDevOpsEmulator.start(.init(token: "azure-pat-value"))
        let forge = try AzureDevOpsForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .azuredevops),
            credential: .token(SecretValue("azure-pat-value")), options: .init(writePacing: .unlimited))
        try await forge.create(CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed"))
        try await forge.create(succeeded(sha(1)))
        #expect(emulator.statuses(of: sha(1)).count == 2)
        #expect(emulator.statuses(of: sha(1)).allSatisfy { $0.genre == "fluxcd" && $0.name == context })
        #expect(emulator.statuses(of: sha(1)).last?.state == "error")
        let read = try await forge.statuses(of: sha(1))
        #expect(read.map(\.state) == [.succeeded])
        #expect(read.first?.context == context)
        #expect(emulator.core.requests.allSatisfy { $0.uri.contains("api-version=6.0") })
        #expect(emulator.core.requests.last?.uri.contains("latestOnly=true") == true)
        await emulator.shutdown()
    }

    @Test("Gitea sends `Authorization: token` and reads the `status` field")
    func gitea() async throws {
        let emulator = try await GiteaEmulator.start(.init(token: "gitea-token-value"))
        let forge = try GiteaForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .gitea),
            credential: .token(SecretValue("gitea-token-value")), options: .init(writePacing: .unlimited))
        try await forge.create(CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed"))
        let read = try await forge.statuses(of: sha(1))
        #expect(read.first?.forgeState == "failure")
        #expect(read.first?.state == .failed)
        await emulator.shutdown()
    }
}
