import ArgumentParser
import Foundation
import Kube

/// `fluxstamp get`: what fluxstamp sees in the cluster, like `flux get kustomizations`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show the Kustomizations fluxstamp sees, their sources, and the commit-status ids Flux's providers use.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("n"), .long], help: "Only this namespace (default: all namespaces).")
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "All namespaces (the default).")
    var allNamespaces = false

    @Option(name: [.customShort("l"), .long], help: "Label selector, e.g. tier=apps.")
    var selector: String?

    @Flag(help: "Print a JSON array, one object per Kustomization.")
    var json = false

    func run() async throws {
        if let selector {
            do { try FluxAPI.validateLabelSelector(selector) } catch { throw CommandError.settings("--selector: \(error)") }
        }
        let client: KubeClient
        do { client = try await cluster.connect() } catch {
            throw CommandError.clusterConfiguration(error.description)
        }
        let inventory: FluxInventory
        do {
            inventory = try await FluxInventory.read(
                FluxAPI(client: client), namespace: allNamespaces ? nil : namespace,
                labelSelector: selector)
        } catch {
            await client.shutdown()
            throw CommandError.clusterUnreadable((error as? KubeError)?.description ?? "\(error)")
        }
        await client.shutdown()
        for problem in inventory.problems { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
        print(json ? Rendering.json(inventory.entries.map(GetRow.init)) : GetOutput.table(inventory), terminator: "")
        if !inventory.problems.isEmpty { throw CommandError.finishedWithFailures }
    }
}

/// `get --json`: one object per Kustomization (schema in docs/json.md).
struct GetRow: Encodable {
    struct Route: Encodable {
        var provider: String
        var type: String
        var alert: String
        var address: String
        var commitStatusId: String
        var eventSeverity: String
    }

    var namespace: String
    var name: String
    var ready: String
    var reason: String
    var message: String
    var suspended: Bool
    var appliedRevision: String
    var appliedOriginRevision: String?
    var attemptedRevision: String
    var sourceKind: String
    var sourceName: String
    var sourceURL: String
    var sourceRef: String
    var path: String
    var historyLength: Int
    var commitStatusIds: [String]
    var providers: [Route]

    init(_ e: FluxInventory.Entry) {
        let k = e.kustomization
        let ready = k.readyCondition
        namespace = k.metadata.namespace ?? ""
        name = k.metadata.name
        self.ready = ready?.status ?? "Unknown"
        reason = ready?.reason ?? ""
        message = ready?.message ?? ""
        suspended = k.isSuspended
        appliedRevision = k.status?.lastAppliedRevision ?? ""
        appliedOriginRevision = k.status?.lastAppliedOriginRevision
        attemptedRevision = k.status?.lastAttemptedRevision ?? ""
        sourceKind = k.spec.sourceRef.kind
        sourceName = "\(k.sourceNamespace ?? "")/\(k.spec.sourceRef.name)"
        sourceURL = e.sourceURL ?? ""
        sourceRef = e.sourceRef ?? ""
        path = k.spec.path ?? ""
        historyLength = k.status?.history?.count ?? 0
        commitStatusIds = e.reporters.compactMap(\.contextID.id)
        providers = e.reporters.map { r in
            Route(
                provider: r.provider, type: r.providerType, alert: r.alert, address: r.address ?? "",
                commitStatusId: r.contextID.description, eventSeverity: r.eventSeverity)
        }
    }
}

/// Renders an inventory as a table.
enum GetOutput {
    static func table(_ inventory: FluxInventory) -> String {
        let header = ["NAMESPACE", "NAME", "READY", "REASON", "REVISION", "SOURCE", "PATH", "HISTORY", "COMMIT STATUS"]
        var rows = [header]
        for e in inventory.entries {
            let k = e.kustomization
            let ready = (k.readyCondition?.status ?? "Unknown") + (k.isSuspended ? " (suspended)" : "")
            let source = [e.sourceURL ?? "\(k.spec.sourceRef.kind)/\(k.spec.sourceRef.name) (not found)", e.sourceRef.map { "(\($0))" }]
                .compactMap { $0 }.joined(separator: " ")
            let statuses = e.reporters.isEmpty ? "-" : e.reporters.map { "\($0.providerType):\($0.contextID)" }.joined(separator: ", ")
            rows.append([
                k.metadata.namespace ?? "", k.metadata.name, ready, k.readyCondition?.reason ?? "-",
                k.status?.lastAppliedRevision ?? "-", source, k.spec.path ?? "-",
                String(k.status?.history?.count ?? 0), statuses,
            ])
        }
        return Rendering.columns(rows)
    }
}
