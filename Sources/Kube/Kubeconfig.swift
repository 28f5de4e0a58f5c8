import Foundation

/// Kubeconfig files merged the way kubectl merges them, and the connection a context selects.
///
/// Merge rules (kubectl `clientcmd`): files are taken in order; for `clusters`, `users` and
/// `contexts` the first file that defines a name wins; `current-context` comes from the first file
/// that sets it. Files listed in `KUBECONFIG` that do not exist are skipped; an explicit
/// `--kubeconfig` that does not exist is an error.
public struct Kubeconfig: Sendable {
    /// The files, in precedence order.
    public private(set) var files: [KubeconfigFile]

    /// Merges already-parsed files in precedence order.
    public init(files: [KubeconfigFile]) { self.files = files }

    /// Where the configuration was read from, for messages.
    public var origin: String { files.map(\.path).joined(separator: ":") }

    /// The merged `current-context`.
    public var currentContext: String? { files.lazy.compactMap(\.currentContext).first }

    /// The merged cluster entry of that name.
    public func cluster(named name: String) -> KubeconfigCluster? {
        files.lazy.compactMap { $0.clusters.first { $0.name == name }?.cluster }.first
    }

    /// The merged user entry of that name.
    public func user(named name: String) -> KubeconfigUser? {
        files.lazy.compactMap { $0.users.first { $0.name == name }?.user }.first
    }

    /// The merged context entry of that name.
    public func context(named name: String) -> KubeconfigContext? {
        files.lazy.compactMap { $0.contexts.first { $0.name == name }?.context }.first
    }

    /// Loads the files kubectl would load: `explicitPath`, else `KUBECONFIG` (colon-separated),
    /// else `~/.kube/config`. Returns nil when none of them exists (and none was explicit).
    public static func load(explicitPath: String?, environment: [String: String], homeDirectory: String) throws -> Kubeconfig? {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeError.kubeconfig(
                    path: explicitPath, reason: "file does not exist",
                    fix: "check the --kubeconfig path")
            }
            return Kubeconfig(files: [try readFile(explicitPath)])
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
            let files = try paths.filter { FileManager.default.fileExists(atPath: $0) }.map(readFile)
            return files.isEmpty ? nil : Kubeconfig(files: files)
        }
        let home = homeDirectory + "/.kube/config"
        guard FileManager.default.fileExists(atPath: home) else { return nil }
        return Kubeconfig(files: [try readFile(home)])
    }

    static func readFile(_ path: String) throws -> KubeconfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.kubeconfig(path: path, reason: "cannot be read", fix: "check its permissions")
        }
        return try KubeconfigFile(yaml: String(decoding: data, as: UTF8.self), path: path)
    }

    /// The connection for `contextName` (or the current context), reading referenced files.
    public func connection(context contextName: String?) throws -> ClusterConnection {
        let where_ = origin
        guard let name = contextName ?? currentContext else {
            throw KubeError.kubeconfig(
                path: where_, reason: "no current-context is set",
                fix: "pass --context or run `kubectl config use-context`")
        }
        guard let context = context(named: name) else {
            throw KubeError.kubeconfig(
                path: where_, reason: "context \"\(name)\" is not defined",
                fix: "pick one of: \(allContextNames.joined(separator: ", "))")
        }
        guard let clusterName = context.cluster, let cluster = cluster(named: clusterName) else {
            throw KubeError.kubeconfig(
                path: where_, reason: "context \"\(name)\" names cluster \"\(context.cluster ?? "")\" which is not defined",
                fix: "add the cluster entry or fix the context")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeError.kubeconfig(
                path: where_, reason: "cluster \"\(clusterName)\" has no server",
                fix: "set clusters[].cluster.server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw KubeError.kubeconfig(
                path: where_, reason: "cluster \"\(clusterName)\" server \"\(server)\" is not an http(s) URL",
                fix: "set server to https://host:port")
        }
        let userName = context.user ?? ""
        let user = context.user.flatMap { self.user(named: $0) } ?? KubeconfigUser()
        if let u = context.user, !u.isEmpty, self.user(named: u) == nil {
            throw KubeError.kubeconfig(
                path: where_, reason: "context \"\(name)\" names user \"\(u)\" which is not defined",
                fix: "add the user entry or fix the context")
        }
        var connection = ClusterConnection(
            server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            origin: "context \(name) in \(where_)",
            tlsServerName: cluster.tlsServerName, proxyURL: cluster.proxyURL,
            userName: userName.isEmpty ? "anonymous" : userName)
        connection.trust = try trust(cluster, clusterName: clusterName)
        connection.clientCertificate = try clientCertificate(user, userName: userName)
        connection.authorization = try authorization(user, userName: userName)
        return connection
    }

    private var allContextNames: [String] {
        var seen = Set<String>()
        return files.flatMap { $0.contexts.map(\.name) }.filter { seen.insert($0).inserted }
    }

    private func trust(_ cluster: KubeconfigCluster, clusterName: String) throws -> ServerTrust {
        if cluster.insecureSkipTLSVerify == true { return .insecureSkipVerify }
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            return .certificateAuthority(
                pem: try decodeBase64(data, field: "clusters[\(clusterName)].certificate-authority-data"),
                source: "certificate-authority-data of cluster \(clusterName)")
        }
        if let path = cluster.certificateAuthority {
            return .certificateAuthority(
                pem: try readReferenced(path, field: "certificate-authority of cluster \(clusterName)"),
                source: path)
        }
        return .systemRoots
    }

    private func clientCertificate(_ user: KubeconfigUser, userName: String) throws -> ClientCertificate? {
        let cert: [UInt8]? =
            try user.clientCertificateData.map { try decodeBase64($0, field: "users[\(userName)].client-certificate-data") }
            ?? user.clientCertificate.map { try readReferenced($0, field: "client-certificate of user \(userName)") }
        let key: [UInt8]? =
            try user.clientKeyData.map { try decodeBase64($0, field: "users[\(userName)].client-key-data") }
            ?? user.clientKey.map { try readReferenced($0, field: "client-key of user \(userName)") }
        switch (cert, key) {
        case (nil, nil): return nil
        case let (cert?, key?): return ClientCertificate(certificatePEM: cert, keyPEM: key)
        default:
            throw KubeError.kubeconfig(
                path: origin, reason: "user \"\(userName)\" has a client certificate without its key (or a key without its certificate)",
                fix: "set both client-certificate(-data) and client-key(-data)")
        }
    }

    private func authorization(_ user: KubeconfigUser, userName: String) throws -> Authorization {
        if let token = user.token, !token.isEmpty { return .bearerToken(token) }
        if let file = user.tokenFile {
            guard FileManager.default.fileExists(atPath: file) else {
                throw KubeError.kubeconfig(
                    path: origin, reason: "tokenFile \(file) of user \"\(userName)\" does not exist",
                    fix: "fix the path (relative paths resolve against the kubeconfig's directory)")
            }
            return .bearerTokenFile(file)
        }
        if let username = user.username, let password = user.password { return .basic(username: username, password: password) }
        if let exec = user.exec {
            guard ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"].contains(exec.apiVersion) else {
                throw KubeError.kubeconfig(
                    path: origin, reason: "user \"\(userName)\" exec apiVersion \(exec.apiVersion) is not supported",
                    fix: "use client.authentication.k8s.io/v1 or v1beta1")
            }
            return .exec(exec)
        }
        return .none
    }

    private func decodeBase64(_ text: String, field: String) throws -> [UInt8] {
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) else {
            throw KubeError.kubeconfig(path: origin, reason: "\(field) is not valid base64", fix: "re-encode it with `base64 -w0`")
        }
        return Array(data)
    }

    private func readReferenced(_ path: String, field: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.kubeconfig(
                path: origin, reason: "\(field) file \(path) cannot be read",
                fix: "fix the path (relative paths resolve against the kubeconfig's directory)")
        }
        return Array(data)
    }
}
