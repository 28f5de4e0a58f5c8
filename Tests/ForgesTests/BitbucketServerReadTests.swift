import FluxstampTesting
import Forges
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Bitbucket Data Center reads one build status by key (`GET …/builds?key=`), as NC does; there
/// is no list to page through.
@Suite("Bitbucket Data Center reads by key")
struct BitbucketServerReadTests {
    @Test("reads send one GET ?key= per commit and context, and a 404 means no status")
    func readsByKey() async throws {
        try await withForge(.bitbucketServer) { emulator, forge, _ in
            let other = "kustomization/infra/0c9c2e41"
            try await forge.create(succeeded(sha(1)))
            emulator.core.clearRequests()
            let read = try await forge.statuses(of: [sha(1), sha(2)], contexts: [context, other])
            #expect(read[sha(1)]?.map(\.forgeKey) == [forge.statusKey(forContext: context)])
            #expect(read[sha(1)]?.first?.state == .succeeded)
            #expect(read[sha(2)] == [])
            let gets = emulator.core.requests.filter { $0.method == "GET" }
            #expect(gets.count == 4)
            #expect(gets.allSatisfy { $0.uri.contains("?key=") && !$0.uri.contains("start=") })
            #expect(Set(gets.map(\.uri)).count == 4)
            #expect(gets.map(\.status).sorted() == [200, 404, 404, 404])
        }
    }

    @Test("writing what is missing reads only the desired keys and writes nothing the second time")
    func writeMissingReadsDesiredKeys() async throws {
        try await withForge(.bitbucketServer) { emulator, forge, _ in
            let desired = (1...3).map { succeeded(sha($0)) }
            #expect(await forge.writeMissing(desired).allSatisfy { $0.isWritten })
            emulator.core.clearRequests()
            #expect(await forge.writeMissing(desired).allSatisfy { $0.isAlreadyShown })
            let key = forge.statusKey(forContext: context)
            #expect(emulator.core.requests.map(\.method) == ["GET", "GET", "GET"])
            #expect(emulator.core.requests.allSatisfy { $0.uri.hasSuffix("/builds?key=\(key)") && $0.status == 200 })
        }
    }

    @Test("reading without contexts fails with a clear configuration error and sends nothing")
    func plainReadRefused() async throws {
        try await withForge(.bitbucketServer) { emulator, forge, _ in
            let error = await #expect(throws: ForgeError.self) { _ = try await forge.statuses(of: [sha(1)]) }
            #expect(error?.kind == .configuration)
            let text = String(describing: try #require(error))
            #expect(text.contains("statuses(of:contexts:)"))
            #expect(emulator.core.requests.isEmpty)
        }
    }

    @Test("the emulator answers one object by key, 404 without a status, 400 without a key")
    func emulatorShape() async throws {
        let emulator = try await BitbucketServerEmulator.start(.init(token: "BBDC-token-value"))
        let forge = try BitbucketServerForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .bitbucketserver),
            credential: .token(SecretValue("BBDC-token-value")), options: .init(writePacing: .unlimited))
        try await forge.create(succeeded(sha(1)))
        let builds = "\(emulator.baseURL)/rest/api/latest/projects/PROJ/repos/repo/commits/\(sha(1))/builds"
        func get(_ query: String) async throws -> (Int, [String: Any]?) {
            var request = URLRequest(url: URL(string: builds + query)!)
            request.setValue("1", forHTTPHeaderField: ForgeEmulatorCore.probeHeader)
            request.setValue("Bearer BBDC-token-value", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let key = forge.statusKey(forContext: context)
        let (status, body) = try await get("?key=\(key)")
        #expect(status == 200)
        #expect(body?["key"] as? String == key)
        #expect(body?["state"] as? String == "SUCCESSFUL")
        #expect(body?["values"] == nil)
        #expect(body?["updatedDate"] is NSNumber)
        #expect(try await get("?key=0000").0 == 404)
        #expect(try await get("").0 == 400)
        #expect(try await get("?start=0&limit=100").0 == 400)
        await emulator.shutdown()
    }

    @Test("a server older than 7.14 cannot read by key: one clear message, and nothing is written blind")
    func before714() async throws {
        let emulator = try await BitbucketServerEmulator.start(.init(token: "BBDC-token-value"), before714: true)
        let forge = try BitbucketServerForge(
            repository: ForgeRepository.parse(emulator.address(), kind: .bitbucketserver),
            credential: .token(SecretValue("BBDC-token-value")), options: .init(writePacing: .unlimited))
        let outcomes = await forge.writeMissing([succeeded(sha(1)), succeeded(sha(2))])
        let error = try #require(outcomes.first?.error)
        #expect(error.kind == .configuration)
        #expect(error.message.contains("7.14"))
        #expect(emulator.core.requests.allSatisfy { $0.method == "GET" })
        #expect(emulator.statuses(of: sha(1)).isEmpty)
        await emulator.shutdown()
    }
}
