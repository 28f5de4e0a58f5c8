import Operations
import Reconcile
import Testing

/// `DeploymentState.decide`: what `fluxstamp wait` concludes from one Kustomization's status.
@Suite struct DeploymentStateTests {
    static let id = KustomizationID(namespace: "flux-system", name: "apps")

    static func current(
        _ revision: String, _ outcome: Outcome, reason: String = "ReconciliationSucceeded", message: String = ""
    ) -> Observation {
        Observation(
            kustomization: id, revision: revision, outcome: outcome, reason: reason, message: message, time: nil, origin: .status,
            isCurrent: true)
    }

    static func applied(_ revision: String) -> Observation {
        Observation(
            kustomization: id, revision: revision, outcome: .succeeded, reason: "ReconciliationSucceeded", time: nil, origin: .status)
    }

    /// Revisions `new` and `newer` include the commit; `old` does not; `unfetched` is not in the copy.
    static let includes: [String: Bool?] = ["new": true, "newer": true, "old": false, "unfetched": nil]

    @Test(
        "decide",
        arguments: [
            ([current("new", .succeeded), applied("new")], "deployed at new"),
            ([current("newer", .succeeded), applied("newer")], "deployed at newer"),
            (
                [current("new", .failed, reason: "HealthCheckFailed", message: "timeout"), applied("old")],
                "failed at new: HealthCheckFailed: timeout"
            ),
            ([current("old", .succeeded), applied("old")], "pending: Ready at old, which does not include the commit"),
            ([current("unfetched", .succeeded)], "pending: Ready at unfetched, which is not in the repository yet"),
            // Reconciling a newer revision (no current fact) while the applied one already carries the commit.
            ([applied("new")], "deployed at new"),
            ([applied("old")], "pending: applied old, which does not include the commit; not Ready now"),
            ([], "pending: nothing applied yet"),
        ])
    func decide(observations: [Observation], expected: String) {
        let state = DeploymentState.decide(observations) { Self.includes[$0] ?? nil }
        #expect(state.description == expected)
    }
}
