import Foundation

/// Every way talking to a cluster can fail, each rendered as one line: what, where, why, what to do.
///
/// No case ever carries a credential: tokens, passwords and keys stay out of errors and logs.
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A kubeconfig file (or the merged set) is unusable.
    case kubeconfig(path: String, reason: String, fix: String)
    /// No connection configuration could be found at all.
    case noConfiguration(searched: [String])
    /// In-cluster configuration is incomplete.
    case inCluster(reason: String)
    /// An exec credential plugin failed or printed something unusable.
    case execPlugin(command: String, reason: String)
    /// The server refused the credentials (HTTP 401).
    case unauthorized(server: String, user: String, message: String)
    /// RBAC denied a request (HTTP 403).
    case forbidden(server: String, verb: String, resource: String, namespace: String?, message: String)
    /// The API group or resource is not served: the CRD is not installed.
    case resourceNotServed(server: String, resource: String, component: String)
    /// A named object does not exist.
    case objectNotFound(server: String, resource: String, namespace: String?, name: String)
    /// None of the versions fluxstamp understands is served for a group.
    case unsupportedVersions(server: String, group: String, served: [String], understood: [String])
    /// A continue token expired twice in a row during one list.
    case listExpired(server: String, resource: String)
    /// The server kept failing (5xx / 429) after every retry, or answered something unreadable.
    /// `request` says what was being done (`listing kustomizations.kustomize.toolkit.fluxcd.io/v1 in
    /// all namespaces`).
    case serverError(server: String, status: Int, message: String, attempts: Int, request: String)
    /// A label selector (`-l`) that the API server would reject; a usage error, found before any request.
    case invalidLabelSelector(selector: String, reason: String)
    /// TLS, DNS, connection or timeout problems.
    case transport(server: String, reason: String, fix: String)
    /// An object from the API lacks a required field or has one of the wrong type.
    case invalidObject(kind: String, object: String, field: String, reason: String)

    /// The one-line message.
    public var description: String {
        switch self {
        case let .kubeconfig(path, reason, fix):
            return "kubeconfig \(path): \(reason); \(fix)"
        case let .noConfiguration(searched):
            return
                "no Kubernetes configuration found (looked at \(searched.joined(separator: ", "))); pass --kubeconfig, set KUBECONFIG, or "
                + "run inside a cluster"
        case let .inCluster(reason):
            return "in-cluster configuration: \(reason); run fluxstamp in a pod with a service account, or pass --kubeconfig"
        case let .execPlugin(command, reason):
            return "exec credential plugin \(command): \(reason); check that the plugin is installed and that you are logged in"
        case let .unauthorized(server, user, message):
            return
                "\(server) rejected the credentials of \(user) (401 Unauthorized: \(message)); refresh the token or certificate in your "
                + "kubeconfig"
        case let .forbidden(server, verb, resource, namespace, message):
            let scope = namespace.map { "in namespace \($0)" } ?? "at the cluster scope"
            return
                "\(server): RBAC denied \(verb) on \(resource) \(scope) (403: \(message)); grant \(verb) on \(resource) to fluxstamp's "
                + "identity (see docs: RBAC)"
        case let .resourceNotServed(server, resource, component):
            return
                "\(server) does not serve \(resource) (404): Flux \(component) is not installed on this cluster; install Flux or point "
                + "--context at a cluster that runs it"
        case let .objectNotFound(server, resource, namespace, name):
            return "\(server): \(resource) \(namespace.map { "\($0)/" } ?? "")\(name) not found (404); check the name and namespace"
        case let .unsupportedVersions(server, group, served, understood):
            return
                "\(server) serves \(group) only at \(served.isEmpty ? "no version" : served.joined(separator: ", ")), fluxstamp "
                + "understands \(understood.joined(separator: ", ")); upgrade Flux or fluxstamp"
        case let .listExpired(server, resource):
            return
                "\(server): listing \(resource) failed twice with 410 Gone (continue token expired); the objects change faster than they "
                + "can be paged, retry later"
        case let .serverError(server, status, message, attempts, request):
            let tries = attempts == 1 ? "" : " after \(attempts) attempts"
            let fix: String
            switch status {
            case 429:
                fix = "the API server is throttling this client (API Priority and Fairness); run less often or retry later"
            case 500..<600:
                fix =
                    "the API server or a component behind it (etcd, an aggregated API) is failing; check "
                    + "`kubectl get --raw /readyz?verbose` and retry later"
            case 400..<500:
                fix = "the server rejected fluxstamp's request; report this as a fluxstamp bug"
            default:
                fix = "check that the server is a Kubernetes API server and retry"
            }
            return "\(server) answered \(status) (\(message))\(tries) while \(request); \(fix)"
        case let .invalidLabelSelector(selector, reason):
            return "label selector \"\(selector)\" is malformed: \(reason); write requirements such as app=web, tier!=db, "
                + "env in (prod,staging), team, !legacy, separated by commas"
        case let .transport(server, reason, fix):
            return "cannot talk to \(server): \(reason); \(fix)"
        case let .invalidObject(kind, object, field, reason):
            return "\(kind) \(object): \(field) \(reason); fix the object or upgrade fluxstamp"
        }
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}
