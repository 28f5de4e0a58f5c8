import ArgumentParser
import Foundation
import Kube
import Logging

/// How `get`, `plan` and `sync` find the cluster, like kubectl.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path of the kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context to use (default: the current context).")
    var context: String?

    /// Resolves the connection and builds the client. A failure here is configuration (exit 2):
    /// nothing has been read or written yet.
    func connect(logger: Logger = KubeClient.silentLogger) async throws(ClusterConfigurationError) -> KubeClient {
        do {
            let connection = try ConnectionResolver.resolve(
                kubeconfig: kubeconfig, context: context, environment: ProcessInfo.processInfo.environment,
                homeDirectory: FileManager.default.homeDirectoryForCurrentUser.path)
            return try await KubeClient.connect(connection, logger: logger)
        } catch {
            throw ClusterConfigurationError(description: (error as? KubeError)?.description ?? "\(error)")
        }
    }
}

/// The cluster connection could not be configured (bad kubeconfig, no configuration found).
struct ClusterConfigurationError: Error, CustomStringConvertible {
    var description: String
}
