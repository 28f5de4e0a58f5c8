import FluxstampTesting
import Forges
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The deployment clients against the strict emulators, and the emulators' refusals themselves.
@Suite("Deployments on GitHub and GitLab")
struct DeploymentsTests {
    static func payload(_ first: String) -> DeploymentPayload {
        DeploymentPayload(firstSeen: first, lastSeen: first, revision: "main@sha1:x", cluster: "prod", kustomization: "flux-system/apps")
    }

    static func write(
        _ n: Int, _ state: DeploymentState, autoInactive: Bool = false, at first: String = "2026-11-20T08:00:00Z"
    )
        -> DeploymentWrite
    {
        DeploymentWrite(
            sha: sha(n), ref: "main", environment: "prod/apps", description: "Flux applied \(n) at \(first)", payload: payload(first),
            state: state, environmentURL: "https://apps.example.com", logURL: "https://logs.example.com/\(n)",
            productionEnvironment: true, autoInactive: autoInactive)
    }

    static func github(
        _ clock: VirtualForgeClock, pacing: WritePacing = .unlimited, registry: WritePacerRegistry = .init()
    )
        async throws -> (GitHubEmulator, GitHubDeployments)
    {
        let emulator = try await GitHubEmulator.start(.init(token: "ghp_SECRETtoken123", clock: clock), repositories: ["org/repo"])
        let repository = try ForgeRepository.parse(emulator.address(), kind: .github)
        let client = try GitHubDeployments(
            repository: repository, credential: .token(SecretValue("ghp_SECRETtoken123")),
            options: ForgeOptions(writePacing: pacing, clock: clock, writePacers: registry))
        return (emulator, client)
    }

    static func gitlab(_ clock: VirtualForgeClock) async throws -> (GitLabEmulator, GitLabDeployments) {
        let emulator = try await GitLabEmulator.start(.init(token: "glpat-SECRETtoken123", clock: clock))
        let repository = try ForgeRepository.parse(emulator.address(), kind: .gitlab)
        let client = try GitLabDeployments(
            repository: repository, credential: .token(SecretValue("glpat-SECRETtoken123")),
            options: ForgeOptions(writePacing: .unlimited, clock: clock))
        return (emulator, client)
    }

    /// Sends a request straight to an emulator (past the client) and answers status and body.
    static func raw(_ method: String, _ url: String, header: (String, String), body: String?) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("1", forHTTPHeaderField: ForgeEmulatorCore.probeHeader)
        request.setValue(header.1, forHTTPHeaderField: header.0)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("GitHub: a backfill oldest first ends with the newest success active and the replaced one inactive, two writes each")
    func gitHubBackfill() async throws {
        let clock = VirtualForgeClock()
        let (emulator, client) = try await Self.github(clock)
        defer { Task { await emulator.shutdown() } }
        // A failing commit status on the commit: required_contexts [] deploys it anyway.
        emulator.seed(sha: sha(2), context: "ci/build", state: "failure", description: "red")
        _ = try await client.create(Self.write(1, .failure))
        _ = try await client.create(Self.write(2, .success, autoInactive: true, at: "2026-11-20T09:00:00Z"))
        _ = try await client.create(Self.write(3, .success, autoInactive: true, at: "2026-11-20T10:00:00Z"))
        let stored = emulator.deployments.deployments("org/repo", environment: "prod/apps")
        #expect(stored.map(\.sha) == [sha(1), sha(2), sha(3)])
        #expect(stored.map(\.state) == ["failure", "inactive", "success"])
        #expect(stored.allSatisfy { $0.productionEnvironment })
        #expect(stored[1].payloadValue("firstSeen") == "2026-11-20T09:00:00Z")
        #expect(stored[2].statuses.last?.environmentURL == "https://apps.example.com")
        #expect(client.requests.snapshot.writes == 6)

        let read = try await client.deployments(environment: "prod/apps", shas: [sha(1), sha(2), sha(3)])
        #expect(read.map(\.state) == [.failure, .inactive, .success])
        #expect(read[0].payload?.firstSeen == "2026-11-20T08:00:00Z")
        #expect(try await client.deployments(environment: "other", shas: [sha(1)]).isEmpty)
    }

    @Test("GitHub: a new state on an existing deployment is one status, without touching the others")
    func gitHubSetState() async throws {
        let clock = VirtualForgeClock()
        let (emulator, client) = try await Self.github(clock)
        defer { Task { await emulator.shutdown() } }
        let first = try await client.create(Self.write(1, .success, autoInactive: true))
        _ = try await client.create(Self.write(2, .success))
        try await client.setState(of: first, to: Self.write(1, .inactive))
        #expect(emulator.deployments.deployments().map(\.state) == ["inactive", "success"])
    }

    @Test("GitHub: a deployment of a commit GitHub does not have is reported for that commit and sent once")
    func gitHubUnknownCommit() async throws {
        let clock = VirtualForgeClock()
        let emulator = try await GitHubEmulator.start(.init(token: "t0k3n-SECRET", clock: clock, knownCommits: [sha(1)]))
        defer { Task { await emulator.shutdown() } }
        let client = try GitHubDeployments(
            repository: try ForgeRepository.parse(emulator.address(), kind: .github), credential: .token(SecretValue("t0k3n-SECRET")),
            options: ForgeOptions(writePacing: .unlimited, clock: clock))
        let error = await #expect(throws: ForgeError.self) { try await client.create(Self.write(7, .success)) }
        #expect(error?.httpStatus == 422)
        #expect(error?.sha == sha(7))
        #expect(error?.message.contains("force-pushed") == true)
        #expect(!(error?.message.contains("t0k3n-SECRET") ?? true))
        #expect(emulator.core.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test(
        "the GitHub emulator refuses what GitHub refuses",
        arguments: [
            (#"{"ref":"SHA"}"#, 409, "Conflict merging main into"),
            (#"{"ref":"SHA","auto_merge":false}"#, 409, "Commit status checks failed"),
            (#"{"ref":"SHA","auto_merge":false,"required_contexts":["ci/build"]}"#, 409, "Commit status checks failed"),
            (#"{"ref":"SHA","auto_merge":false,"required_contexts":["ci/other"]}"#, 409, "ci/other"),
            (#"{"ref":"SHA","auto_merge":false,"required_contexts":[]}"#, 201, "\"environment\":\"production\""),
            (#"{"ref":"c0ffee","auto_merge":false,"required_contexts":[]}"#, 422, "No ref found for: c0ffee"),
            (#"{"auto_merge":false}"#, 422, "Validation Failed"),
        ])
    func gitHubEmulatorRefusals(_ body: String, _ status: Int, _ fragment: String) async throws {
        let clock = VirtualForgeClock()
        let (emulator, _) = try await Self.github(clock)
        defer { Task { await emulator.shutdown() } }
        emulator.seed(sha: sha(1), context: "ci/build", state: "failure", description: "red")
        let (code, text) = try await Self.raw(
            "POST", "\(emulator.baseURL)/api/v3/repos/org/repo/deployments", header: ("Authorization", "Bearer ghp_SECRETtoken123"),
            body: body.replacingOccurrences(of: "SHA", with: sha(1)))
        #expect(code == status, "\(text)")
        #expect(text.contains(fragment), "\(text)")
    }

    @Test("the GitHub emulator refuses an unknown deployment status state and an over-long description")
    func gitHubEmulatorStatusRefusals() async throws {
        let clock = VirtualForgeClock()
        let (emulator, client) = try await Self.github(clock)
        defer { Task { await emulator.shutdown() } }
        let made = try await client.create(Self.write(1, .success))
        let url = "\(emulator.baseURL)/api/v3/repos/org/repo/deployments/\(made.id)/statuses"
        let auth = ("Authorization", "Bearer ghp_SECRETtoken123")
        #expect(try await Self.raw("POST", url, header: auth, body: #"{"state":"destroyed"}"#).0 == 422)
        let long = String(repeating: "x", count: 141)
        #expect(try await Self.raw("POST", url, header: auth, body: #"{"state":"success","description":"\#(long)"}"#).0 == 422)
        #expect(try await Self.raw("POST", url, header: auth, body: #"{"state":"queued"}"#).0 == 201)
    }

    @Test("the deployment client draws on the status client's write pacer: one budget per identity")
    func sharedPacer() async throws {
        let clock = VirtualForgeClock()
        let registry = WritePacerRegistry()
        let pacing = WritePacing.defaultPacing(for: .github)
        let (emulator, deployments) = try await Self.github(clock, pacing: pacing, registry: registry)
        defer { Task { await emulator.shutdown() } }
        _ = try GitHubForge(
            repository: deployments.repository, credential: .token(SecretValue("ghp_SECRETtoken123")),
            options: ForgeOptions(writePacing: pacing, clock: clock, writePacers: registry))
        #expect(registry.count == 1)
        _ = try GitHubForge(
            repository: deployments.repository, credential: .token(SecretValue("another-token")),
            options: ForgeOptions(writePacing: pacing, clock: clock, writePacers: registry))
        #expect(registry.count == 2)
    }

    @Test("GitLab: the environment is created on first use, the status set at creation in one request, changed with PUT")
    func gitLabBackfill() async throws {
        let clock = VirtualForgeClock()
        let (emulator, client) = try await Self.gitlab(clock)
        defer { Task { await emulator.shutdown() } }
        #expect(emulator.deployments.environments().isEmpty)
        _ = try await client.create(Self.write(1, .failure))
        let second = try await client.create(Self.write(2, .inactive))
        _ = try await client.create(Self.write(3, .inProgress))
        #expect(emulator.deployments.environments() == ["prod/apps"])
        #expect(emulator.deployments.deployments().map(\.status) == ["failed", "success", "running"])
        #expect(client.requests.snapshot.writes == 3)
        let read = try await client.deployments(environment: "prod/apps", shas: [])
        #expect(read.map(\.sha) == [sha(1), sha(2), sha(3)])
        #expect(read.map(\.state) == [.failure, .success, .inProgress])
        try await client.setState(of: second, to: Self.write(2, .failure))
        #expect(emulator.deployments.deployments().map(\.history) == [["failed"], ["success", "failed"], ["running"]])
        #expect(!client.supports(.inactive))
    }

    @Test(
        "the GitLab emulator refuses what GitLab refuses",
        arguments: [
            (#"{"environment":"e","sha":"SHA","ref":"main","status":"success"}"#, 400, "tag is missing"),
            (#"{"environment":"e","sha":"SHA","ref":"main","tag":false,"status":"created"}"#, 400, "status does not have a valid value"),
            (#"{"sha":"SHA","ref":"main","tag":false,"status":"success"}"#, 400, "environment is missing"),
            (#"{"environment":"e","sha":"c0ffee","ref":"main","tag":false,"status":"success"}"#, 400, "The commit does not exist"),
            (#"{"environment":"e","sha":"SHA","ref":"main","tag":false,"status":"success"}"#, 201, "\"name\":\"e\""),
        ])
    func gitLabEmulatorRefusals(_ body: String, _ status: Int, _ fragment: String) async throws {
        let clock = VirtualForgeClock()
        let (emulator, _) = try await Self.gitlab(clock)
        defer { Task { await emulator.shutdown() } }
        let (code, text) = try await Self.raw(
            "POST", "\(emulator.baseURL)/api/v4/projects/group%2Fproject/deployments", header: ("PRIVATE-TOKEN", "glpat-SECRETtoken123"),
            body: body.replacingOccurrences(of: "SHA", with: sha(1)))
        #expect(code == status, "\(text)")
        #expect(text.contains(fragment), "\(text)")
        #expect(emulator.deployments.environments() == (status == 201 ? ["e"] : []))
    }
}
