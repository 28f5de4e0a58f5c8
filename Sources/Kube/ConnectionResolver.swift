import Foundation

/// How fluxstamp finds its cluster, like kubectl: `--kubeconfig`, else `KUBECONFIG`, else
/// `~/.kube/config`, else in-cluster.
public enum ConnectionResolver {
    /// Resolves the connection. `namespace` overrides the context's namespace.
    public static func resolve(
        kubeconfig: String?, context: String?, environment: [String: String],
        homeDirectory: String, inClusterDirectory: String = InClusterConfig.defaultDirectory
    ) throws -> ClusterConnection {
        if let config = try Kubeconfig.load(explicitPath: kubeconfig, environment: environment, homeDirectory: homeDirectory) {
            return try config.connection(context: context)
        }
        if InClusterConfig.isAvailable(environment: environment) {
            return try InClusterConfig.connection(environment: environment, directory: inClusterDirectory)
        }
        var searched: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            searched.append("KUBECONFIG=\(list)")
        } else {
            searched.append(homeDirectory + "/.kube/config")
        }
        searched.append("in-cluster (KUBERNETES_SERVICE_HOST unset)")
        throw KubeError.noConfiguration(searched: searched)
    }
}
