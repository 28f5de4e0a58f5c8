import FluxstampTesting
import Forges
import Foundation
import Logging
import Reconcile
import Testing

/// The deployments stage against the GitHub emulator: failures are problems a user can act on,
/// and nothing is written where the forge could not be read.
@Suite("Deployment stage")
struct DeploymentStageTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func run(_ emulator: GitHubEmulator, token: String) async throws -> DeploymentStage.Outcome {
        let repository = try ForgeRepository.parse(emulator.address(), kind: .github)
        let endpoint = ForgeEndpoint(
            repository: repository, credential: .token(SecretValue(token)),
            transport: ForgeOptions(writePacing: .unlimited, clock: VirtualForgeClock(), writePacers: WritePacerRegistry()))
        let unit = DeploymentPlanTests.unit()
        var adjusted = unit
        adjusted.targets = [StatusTarget(repository: repository.description, context: "kustomization/apps", forge: .github)]
        return await DeploymentStage.run(
            DeploymentSettings(forge: .github), cluster: "prod", units: [adjusted], git: DeploymentPlanTests.git, policy: PlanPolicy(),
            endpoints: [repository.description: endpoint], factory: LiveDeploymentForges(), dryRun: false, concurrency: 2,
            logger: logger)
    }

    @Test("a deployment GitHub refuses is a problem naming the repository and commit; the environment's others are written")
    func refusedWrite() async throws {
        let known = Set([3, 6].map(DeploymentPlanTests.sha))
        let emulator = try await GitHubEmulator.start(.init(token: "tok-SECRET", knownCommits: known))
        defer { Task { await emulator.shutdown() } }
        let outcome = try await Self.run(emulator, token: "tok-SECRET")
        #expect(emulator.deployments.deployments().map(\.sha) == [DeploymentPlanTests.sha(3), DeploymentPlanTests.sha(6)])
        let failed = outcome.results.filter { $0.error != nil }
        #expect(failed.map(\.write.write.sha) == [DeploymentPlanTests.sha(4)])
        #expect(outcome.problems.count == 1)
        #expect(outcome.problems.first?.severity == .failure)
        #expect(outcome.problems.first?.description.contains(DeploymentPlanTests.sha(4)) == true)
        #expect(outcome.problems.first?.description.contains("127.0.0.1") == true)
        #expect(!(outcome.problems.first?.description.contains("tok-SECRET") ?? true))
    }

    @Test("an environment that cannot be read is left alone: one problem, nothing written")
    func unreadable() async throws {
        let emulator = try await GitHubEmulator.start(.init(token: "right-token"))
        defer { Task { await emulator.shutdown() } }
        let outcome = try await Self.run(emulator, token: "wrong-token")
        #expect(outcome.plan.writes.isEmpty)
        #expect(outcome.results.isEmpty)
        #expect(outcome.problems.count == 1)
        #expect(outcome.problems.first?.description.contains("401") == true)
        #expect(emulator.core.requests.allSatisfy { $0.method == "GET" })
    }
}
