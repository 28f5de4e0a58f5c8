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
        let client: KubeClient
        do { client = try await cluster.connect() } catch {
            printError(error)
            throw ExitCode(2)
        }
        let inventory: FluxInventory
        do {
            inventory = try await FluxInventory.read(FluxAPI(client: client), namespace: allNamespaces ? nil : namespace,
                                                     labelSelector: selector)
        } catch {
            await client.shutdown()
            printError(error)
            throw ExitCode(1)
        }
        await client.shutdown()
        for problem in inventory.problems { printError(problem) }
        print(json ? GetOutput.json(inventory) : GetOutput.table(inventory), terminator: "")
        if !inventory.problems.isEmpty { throw ExitCode(1) }
    }

    private func printError(_ error: Error) {
        let line = (error as? KubeError)?.description ?? String(describing: error)
        FileHandle.standardError.write(Data("error: \(line)\n".utf8))
    }
}

/// Renders an inventory as a table or JSON.
enum GetOutput {
    static func row(_ e: FluxInventory.Entry) -> [String: Any] {
        let k = e.kustomization
        let ready = k.readyCondition
        var object: [String: Any] = [
            "namespace": k.metadata.namespace ?? "",
            "name": k.metadata.name,
            "ready": ready?.status ?? "Unknown",
            "reason": ready?.reason ?? "",
            "message": ready?.message ?? "",
            "suspended": k.isSuspended,
            "appliedRevision": k.status?.lastAppliedRevision ?? "",
            "attemptedRevision": k.status?.lastAttemptedRevision ?? "",
            "sourceKind": k.spec.sourceRef.kind,
            "sourceName": "\(k.sourceNamespace ?? "")/\(k.spec.sourceRef.name)",
            "sourceURL": e.sourceURL ?? "",
            "sourceRef": e.sourceRef ?? "",
            "path": k.spec.path ?? "",
            "historyLength": k.status?.history?.count ?? 0,
            "commitStatusIds": e.reporters.compactMap(\.contextID.id),
            "providers": e.reporters.map { r -> [String: Any] in
                ["provider": r.provider, "type": r.providerType, "alert": r.alert, "address": r.address ?? "",
                 "commitStatusId": r.contextID.description, "eventSeverity": r.eventSeverity]
            },
        ]
        if let origin = k.status?.lastAppliedOriginRevision { object["appliedOriginRevision"] = origin }
        return object
    }

    static func json(_ inventory: FluxInventory) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: inventory.entries.map(row), options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func table(_ inventory: FluxInventory) -> String {
        let header = ["NAMESPACE", "NAME", "READY", "REASON", "REVISION", "SOURCE", "PATH", "HISTORY", "COMMIT STATUS"]
        var rows = [header]
        for e in inventory.entries {
            let k = e.kustomization
            let ready = (k.readyCondition?.status ?? "Unknown") + (k.isSuspended ? " (suspended)" : "")
            let source = [e.sourceURL ?? "\(k.spec.sourceRef.kind)/\(k.spec.sourceRef.name) (not found)", e.sourceRef.map { "(\($0))" }]
                .compactMap { $0 }.joined(separator: " ")
            let statuses = e.reporters.isEmpty ? "-" : e.reporters.map { "\($0.providerType):\($0.contextID)" }.joined(separator: ", ")
            rows.append([k.metadata.namespace ?? "", k.metadata.name, ready, k.readyCondition?.reason ?? "-",
                         k.status?.lastAppliedRevision ?? "-", source, k.spec.path ?? "-",
                         String(k.status?.history?.count ?? 0), statuses])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
