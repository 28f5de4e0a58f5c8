import FluxstampTesting
import Foundation
import Testing

/// The ledger read back into status planning, through the binary: what a forge outage hid from
/// the forge, and Kubernetes forgot in the meantime, is still written once the forge is back.
extension LedgerEndToEndTests {
    struct PlanDocument: Decodable {
        struct Write: Decodable, Hashable {
            var sha: String
            var context: String
            var state: String
        }
        var writes: [Write]
    }

    @Test("runs during an outage record the facts; after history and events are gone, sync --ledger still writes them all")
    func ledgerRemembersWhatTheClusterForgot() async throws {
        try await withSandbox { sandbox in
            try await withLedger(.sqlite, in: sandbox.directory) { text, _ in
                // During the outage: runs observe and record, nothing reaches the forge.
                let during = try await fluxstamp(["plan", "--json", "--ledger", text] + flags(sandbox))
                #expect(during.status == 0, "\(during.stderr)")
                let wanted = Set(try JSONDecoder().decode(PlanDocument.self, from: Data(during.stdout.utf8)).writes)
                #expect(wanted.count >= 5)

                // Meanwhile Kubernetes forgets: history snapshots rotate out, events expire.
                let store = sandbox.kube.store
                for k in sandbox.world.kustomizations {
                    await store.update(kind: "Kustomization", namespace: "flux-system", name: k.name) {
                        $0["status"]?["history"] = .array([])
                    }
                }
                for event in await store.all(kind: "Event") {
                    guard case .string(let namespace)? = event["metadata"]?["namespace"],
                        case .string(let name)? = event["metadata"]?["name"]
                    else { continue }
                    await store.remove(kind: "Event", namespace: namespace, name: name)
                }
                let alone = try await fluxstamp(["plan", "--json"] + flags(sandbox))
                let clusterAlone = Set(try JSONDecoder().decode(PlanDocument.self, from: Data(alone.stdout.utf8)).writes)
                #expect(clusterAlone.count < wanted.count, "without the ledger, the forgotten facts are lost")

                let after = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(after.status == 0, "\(after.stderr)")
                for write in wanted {
                    let latest = sandbox.latestStatus(of: write.sha, context: write.context)
                    #expect(latest?.state == (write.state == "succeeded" ? "success" : "failure"), "\(write)")
                }
                let rerun = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(rerun.stderr.contains("written 0"), "\(rerun.stderr)")
            }
        }
    }
}
