/// Kubernetes `Status` bodies shaped like the real API server's (k8s.io/apimachinery
/// `pkg/api/errors` and the RBAC authorizer's forbidden message).
enum KubeAPIStatus {
    static func body(code: Int, reason: String, message: String, details: JSONValue? = nil) -> EmulatorResponse {
        var object: [String: JSONValue] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
            "status": .string("Failure"), "message": .string(message), "reason": .string(reason), "code": .int(code),
        ]
        if let details { object["details"] = details }
        return .json(code, JSONValue.object(object).jsonText)
    }

    static func unauthorized() -> EmulatorResponse {
        body(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    /// `kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "u" cannot list resource
    /// "kustomizations" in API group "kustomize.toolkit.fluxcd.io" at the cluster scope`.
    static func forbidden(user: String, verb: String, resource: EmulatedResource, namespace: String?, name: String?) -> EmulatorResponse {
        let subject = name.map { "\(resource.qualifiedName) \"\($0)\"" } ?? resource.qualifiedName
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let message =
            "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource.plural)\" in API group \"\(resource.group)\" "
            + "\(scope)"
        var details: [String: JSONValue] = ["group": .string(resource.group), "kind": .string(resource.plural)]
        if let name { details["name"] = .string(name) }
        return body(code: 403, reason: "Forbidden", message: message, details: .object(details))
    }

    static func notFound(resource: EmulatedResource, name: String) -> EmulatorResponse {
        body(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: .object(["name": .string(name), "group": .string(resource.group), "kind": .string(resource.plural)]))
    }

    /// What the API server answers for a path no handler serves (e.g. a CRD that is not installed).
    static func pageNotFound() -> EmulatorResponse {
        EmulatorResponse(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("404 page not found\n".utf8))
    }

    static func expired() -> EmulatorResponse {
        body(
            code: 410, reason: "Expired",
            message:
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the "
                + "continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing "
                + "with the provided token results in an inconsistent list - objects that were created, modified, or deleted between "
                + "the time the first chunk was returned and now may show up in the list."
        )
    }

    static func badRequest(_ message: String) -> EmulatorResponse {
        body(code: 400, reason: "BadRequest", message: message)
    }

    static func fault(_ fault: KubeAPIControls.Fault) -> EmulatorResponse {
        let (reason, message): (String, String) =
            switch fault.status {
            case 429: ("TooManyRequests", "Too many requests, please try again later.")
            case 503: ("ServiceUnavailable", "The server is currently unable to handle the request")
            case 504: ("Timeout", "Timeout: request did not complete within the allowed duration")
            default: ("InternalError", "Internal error occurred: injected fault")
            }
        var response = body(
            code: fault.status, reason: reason, message: message,
            details: fault.retryAfterSeconds.map { .object(["retryAfterSeconds": .int($0)]) })
        if let seconds = fault.retryAfterSeconds { response.headers.append(("Retry-After", String(seconds))) }
        return response
    }
}
