import Forges
import Foundation
import Reconcile
import Testing

/// The deployments rules: which deployments an environment should show, in which order and state,
/// and the fewest writes that get the forge there.
@Suite("Deployment planning")
struct DeploymentPlanTests {
    static let apps = KustomizationID(namespace: "flux-system", name: "apps")
    static func sha(_ n: Int) -> String { String(repeating: "\(n)", count: 40) }
    /// 2026-11-20 at `hour`:00 UTC.
    static func at(_ hour: Int) -> Date { Date(timeIntervalSince1970: 1_795_132_800 + Double(hour) * 3600) }

    /// apps: c3 failed at 8, c4 applied at 9, c6 applied at 10 and current.
    static func unit(_ id: KustomizationID = apps, forge: ForgeKind = .github, observations: [Observation]? = nil) -> PlanUnit {
        let history = [
            Observation(
                kustomization: id, revision: "main@sha1:\(sha(3))", outcome: .failed, reason: "HealthCheckFailed", time: at(8),
                origin: .history),
            Observation(
                kustomization: id, revision: "main@sha1:\(sha(4))", outcome: .succeeded, reason: "ReconciliationSucceeded", time: at(9),
                origin: .history),
            Observation(
                kustomization: id, revision: "main@sha1:\(sha(6))", outcome: .succeeded, reason: "ReconciliationSucceeded", time: at(10),
                origin: .history),
            Observation(
                kustomization: id, revision: "main@sha1:\(sha(6))", outcome: .succeeded, reason: "ReconciliationSucceeded", time: at(30),
                origin: .status, isCurrent: true, reportedAt: at(10)),
        ]
        return PlanUnit(
            kustomization: id, repository: "https://git.example/fleet", path: "./apps",
            targets: [StatusTarget(repository: "forge/acme/fleet", context: "kustomization/apps", forge: forge)],
            observations: observations ?? history)
    }

    static let git = [
        "https://git.example/fleet": GitFacts(commitTimes: Dictionary(uniqueKeysWithValues: (1...9).map { (sha($0), at($0)) }))
    ]

    static func desired(
        _ units: [PlanUnit], forge: ForgeKind = .github, settings: DeploymentSettings? = nil
    )
        -> [DeploymentTarget: [DesiredDeployment]]
    {
        Deployments.desired(
            units: units, git: git, settings: settings ?? DeploymentSettings(forge: forge), cluster: "prod", policy: PlanPolicy()
        ).deployments
    }

    static let target = DeploymentTarget(repository: "forge/acme/fleet", environment: "prod/apps")

    @Test("an environment's deployments come oldest first, the newest success active, replaced successes inactive, failures failed")
    func desiredOrderAndStates() {
        let wanted = Self.desired([Self.unit()])[Self.target] ?? []
        #expect(wanted.map(\.sha) == [Self.sha(3), Self.sha(4), Self.sha(6)])
        #expect(wanted.map(\.state) == [.failure, .inactive, .success])
        #expect(wanted.map(\.write.payload.firstSeen) == ["2026-11-20T08:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"])
        #expect(wanted[1].write.description.contains("at 2026-11-20T09:00:00Z"))
        #expect(wanted.allSatisfy { $0.write.ref == "main" && !$0.write.productionEnvironment })
    }

    @Test("GitLab has no inactive: a replaced deployment stays success")
    func gitLabStates() {
        let wanted = Self.desired([Self.unit(forge: .gitlab)], forge: .gitlab)[Self.target] ?? []
        #expect(wanted.map(\.state) == [.failure, .success, .success])
    }

    @Test(
        "environment names: the template by default, else the first matching rule; production from the rule or the list",
        arguments: [
            ([DeploymentSettings.Rule](), [String](), "prod/apps", false),
            ([.init(match: "*/apps", environment: "production", production: true)], [], "production", true),
            ([.init(match: "apps", environment: "{cluster}-web")], ["prod-web"], "prod-web", true),
            ([.init(match: "other/*", environment: "x")], [], "prod/apps", false),
        ])
    func environments(_ rules: [DeploymentSettings.Rule], _ production: [String], _ name: String, _ isProduction: Bool) {
        let settings = DeploymentSettings(forge: .github, rules: rules, productionEnvironments: Set(production))
        let environment = settings.environment(for: Self.apps, cluster: "prod")
        #expect(environment.name == name)
        #expect(environment.production == isProduction)
    }

    @Test("a Kustomization with no observations deploys nothing; commits git does not reach are left out")
    func nothingToDeploy() {
        #expect(Self.desired([Self.unit(observations: [])]).isEmpty)
        let gone = Observation(
            kustomization: Self.apps, revision: "main@sha1:\(String(repeating: "a", count: 40))", outcome: .succeeded,
            reason: "ReconciliationSucceeded", time: Self.at(9), origin: .history)
        #expect(Self.desired([Self.unit(observations: [gone])]).isEmpty)
    }

    /// What the forge shows: sha number → state (nil: a deployment without a status).
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var shown: [(Int, DeploymentState?)]
        /// Expected writes: action, sha number, state sent, auto_inactive.
        var writes: [(PlannedDeploymentWrite.Action, Int, DeploymentState, Bool)]
        var unchanged: Int
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "nothing on the forge: three creates oldest first; the replaced one posted success for auto_inactive to retire",
            shown: [], writes: [(.create, 3, .failure, false), (.create, 4, .success, true), (.create, 6, .success, true)], unchanged: 0),
        Scenario(
            name: "everything right: a rerun writes nothing", shown: [(3, .failure), (4, .inactive), (6, .success)], writes: [],
            unchanged: 3),
        Scenario(
            name: "only the newest exists: older ones are created in their final state, no auto_inactive",
            shown: [(6, .success)], writes: [(.create, 3, .failure, false), (.create, 4, .inactive, false)], unchanged: 1),
        Scenario(
            name: "an older success exists, the newest is missing: its creation retires the older one",
            shown: [(3, .failure), (4, .success)], writes: [(.create, 6, .success, true)], unchanged: 2),
        Scenario(
            name: "a wrong state is corrected with one new status",
            shown: [(3, .success), (4, .inactive), (6, .success)], writes: [(.setState, 3, .failure, false)], unchanged: 2),
        Scenario(
            name: "a deployment without a status gets one",
            shown: [(3, .failure), (4, .inactive), (6, nil)], writes: [(.setState, 6, .success, false)], unchanged: 2),
    ]

    @Test("compare writes only what is missing or wrong, in order", arguments: scenarios)
    func compare(_ scenario: Scenario) {
        let wanted = Self.desired([Self.unit()])
        let shown = scenario.shown.enumerated().map { i, s in
            DeploymentRecord(id: i + 1, sha: Self.sha(s.0), environment: "prod/apps", state: s.1)
        }
        let plan = Deployments.compare(wanted, existing: [Self.target: shown], forge: .github)
        #expect(plan.writes.map(\.action) == scenario.writes.map(\.0))
        #expect(plan.writes.map(\.write.sha) == scenario.writes.map { Self.sha($0.1) })
        #expect(plan.writes.map(\.write.state) == scenario.writes.map(\.2))
        #expect(plan.writes.map(\.write.autoInactive) == scenario.writes.map(\.3))
        #expect(plan.unchanged == scenario.unchanged)
    }

    @Test(
        "GitLab's ref and tag come from the revision",
        arguments: [("main@sha1:", "main", false), ("v1.2.3@sha1:", "v1.2.3", true), ("1.4.0@sha1:", "1.4.0", true)])
    func refAndTag(_ prefix: String, _ ref: String, _ isTag: Bool) {
        let observation = Observation(
            kustomization: Self.apps, revision: prefix + Self.sha(4), outcome: .succeeded, reason: "ReconciliationSucceeded",
            time: Self.at(9), origin: .history)
        let wanted = Self.desired([Self.unit(forge: .gitlab, observations: [observation])], forge: .gitlab)[Self.target] ?? []
        #expect(wanted.map(\.write.ref) == [ref])
        #expect(wanted.map(\.write.isTag) == [isTag])
    }

    @Test("two clusters give two environments for one Kustomization")
    func twoClusters() {
        let settings = DeploymentSettings(forge: .github)
        let a = Deployments.desired(units: [Self.unit()], git: Self.git, settings: settings, cluster: "eu", policy: PlanPolicy())
            .deployments
        let b = Deployments.desired(units: [Self.unit()], git: Self.git, settings: settings, cluster: "us", policy: PlanPolicy())
            .deployments
        #expect(Set(a.keys.map(\.environment)).union(b.keys.map(\.environment)) == ["eu/apps", "us/apps"])
    }
}
