import FluxstampTesting
import Forges
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("GitLab")
struct GitLabTests {
    func start(writeHold: Double = 0) async throws -> (GitLabEmulator, GitLabForge) {
        let emulator = try await GitLabEmulator.start(.init(token: "glpat-SECRETtoken123"), writeHold: writeHold)
        let forge = try GitLabForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .gitlab),
            credential: .token(SecretValue("glpat-SECRETtoken123")),
            options: .init(writePacing: .unlimited, clock: VirtualForgeClock()))
        return (emulator, forge)
    }

    @Test("the emulator refuses a repeated pending, as GitLab does")
    func emulatorTransitionError() async throws {
        let (emulator, forge) = try await start()
        let pending = CommitStatus(sha: sha(1), context: context, state: .pending, description: "waiting")
        try await forge.create(pending)
        // Straight at the emulator, past the client's read-first.
        let url = "\(emulator.baseURL)/api/v4/projects/group%2Fproject/statuses/\(sha(1))"
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("1", forHTTPHeaderField: ForgeEmulatorCore.probeHeader)
        request.httpMethod = "POST"
        request.setValue("glpat-SECRETtoken123", forHTTPHeaderField: "PRIVATE-TOKEN")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"state":"pending","name":"\#(context)"}"#.utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 400)
        #expect(String(decoding: body, as: UTF8.self).contains("Cannot transition status via :enqueue from :pending"))
        await emulator.shutdown()
    }

    @Test("never repeats a pending or running state, whatever the description")
    func noRepeatedPending() async throws {
        let (emulator, forge) = try await start()
        for state in [CommitState.pending, .running] {
            try await forge.create(CommitStatus(sha: sha(1), context: context, state: state, description: "first"))
            try await forge.create(CommitStatus(sha: sha(1), context: context, state: state, description: "second"))
            let ensured = await forge.writeMissing([CommitStatus(sha: sha(1), context: context, state: state, description: "third")])
            #expect(ensured[0].isAlreadyShown)
        }
        #expect(emulator.statuses(of: sha(1)).map(\.state) == ["running", "pending"])
        #expect(!emulator.core.requests.contains { $0.status == 400 })
        await emulator.shutdown()
    }

    @Test("a 'Cannot transition status' answer counts as already there")
    func transitionErrorIsSuccess() async throws {
        let (emulator, forge) = try await start()
        // Another writer sets pending between our read and our write: lists lag behind, the
        // write is refused with "Cannot transition status", and that is what we wanted.
        try await forge.create(CommitStatus(sha: sha(1), context: context, state: .pending, description: "x"))
        emulator.staleReads = true
        let result = await forge.writeMissing([CommitStatus(sha: sha(1), context: context, state: .pending, description: "y")])
        #expect(result[0].isWritten)
        #expect(emulator.core.requests.last?.status == 400)
        #expect(emulator.statuses(of: sha(1)).count == 1)
        await emulator.shutdown()
    }

    @Test("409 (another update in progress) is retried")
    func conflictRetried() async throws {
        let (emulator, forge) = try await start()
        emulator.conflictNext(times: 2)
        try await forge.create(succeeded(sha(1)))
        #expect(emulator.core.requests.map(\.status) == [409, 409, 201])
        #expect(emulator.statuses(of: sha(1)).count == 1)
        await emulator.shutdown()
    }

    @Test("writes to one commit are serialized, so GitLab never answers 409")
    func serializedPerSha() async throws {
        let (emulator, forge) = try await start(writeHold: 0.02)
        let desired = (0..<6).map { succeeded(sha(1), context: "kustomization/app\($0)/0c9c2e41") }
        let results = await forge.writeMissing(desired, concurrency: 6)
        #expect(results.allSatisfy { $0.isWritten })
        #expect(emulator.conflictsAnswered == 0)
        #expect(emulator.statuses(of: sha(1)).count == 6)
        await emulator.shutdown()
    }

    @Test("lists can be filtered by name and page with x-next-page")
    func filteredByName() async throws {
        let (emulator, forge) = try await start()
        for n in 0..<3 { try await forge.create(succeeded(sha(1), context: "other/\(n)")) }
        try await forge.create(CommitStatus(sha: sha(1), context: context, state: .failed, description: "health check failed"))
        emulator.core.clearRequests()
        let named = try await forge.statuses(of: sha(1), named: context)
        #expect(named.map(\.context) == [context])
        #expect(named.first?.forgeState == "failed")
        #expect(emulator.core.requests.first?.uri.contains("name=kustomization%2Fapps%2F0c9c2e41") == true)
        await emulator.shutdown()
    }
}
