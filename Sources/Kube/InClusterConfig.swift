import Foundation

/// In-cluster configuration: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT` and the
/// service account's `token`, `ca.crt` and `namespace` files.
///
/// The token is referenced by path, not copied, so a rotated token is picked up
/// (see `BearerTokenFile`). The base directory is injectable for tests.
public enum InClusterConfig {
    /// The directory Kubernetes mounts the service-account files into.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Whether the environment says we run in a pod.
    public static func isAvailable(environment: [String: String]) -> Bool {
        environment["KUBERNETES_SERVICE_HOST"].map { !$0.isEmpty } ?? false
    }

    /// The connection for this pod.
    public static func connection(environment: [String: String], directory: String = defaultDirectory) throws -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeError.inCluster(reason: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        let tokenPath = directory + "/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw KubeError.inCluster(reason: "service-account token \(tokenPath) is missing (automountServiceAccountToken: false?)")
        }
        let caPath = directory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeError.inCluster(reason: "service-account CA \(caPath) is missing")
        }
        let namespace =
            FileManager.default.contents(atPath: directory + "/namespace")
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6
        return ClusterConnection(
            server: "https://\(hostPart):\(port)", namespace: namespace, origin: "in-cluster",
            trust: .certificateAuthority(pem: Array(ca), source: caPath),
            authorization: .bearerTokenFile(tokenPath), userName: "service account")
    }
}
