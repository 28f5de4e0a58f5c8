import Foundation
import Kube
import Synchronization

/// Turns emulator requests into API answers: authentication, faults, discovery, RBAC, list, get.
final class KubeAPIRouter: Sendable {
    let store: KubeObjectStore
    let controls: KubeAPIControls
    private let port = Atomic<Int>(0)

    init(store: KubeObjectStore, controls: KubeAPIControls) {
        self.store = store
        self.controls = controls
    }

    func setPort(_ value: Int) { port.store(value, ordering: .relaxed) }

    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let state = controls.state.withLock { $0 }
        if let latency = state.latency { try? await Task.sleep(for: latency) }
        guard let user = authenticate(request, state) else {
            controls.state.withLock { $0.requests.append("\(request.method) \(request.uri) <unauthenticated>") }
            return KubeAPIStatus.unauthorized()
        }
        controls.state.withLock { $0.requests.append("\(request.method) \(request.uri) \(user)") }
        if let fault = controls.state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
            return KubeAPIStatus.fault(fault)
        }
        guard request.method == "GET" else {
            return KubeAPIStatus.body(code: 405, reason: "MethodNotAllowed", message: "the emulator is read-only")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        switch parts.first {
        case "api": return await core(Array(parts.dropFirst()), request, user: user)
        case "apis": return await groups(Array(parts.dropFirst()), request, user: user)
        default: return KubeAPIStatus.pageNotFound()
        }
    }

    private func authenticate(_ request: EmulatorRequest, _ state: KubeAPIControls.State) -> String? {
        if let header = request.header("Authorization") {
            if header.hasPrefix("Bearer ") { return state.tokens[String(header.dropFirst(7))] }
            if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) {
                let pair = String(decoding: data, as: UTF8.self).split(separator: ":", maxSplits: 1).map(String.init)
                guard pair.count == 2, state.basicUsers[pair[0]] == pair[1] else { return nil }
                return pair[0]
            }
            return nil
        }
        return request.clientCertificateCommonName
    }

    // MARK: discovery

    private func servedVersions(_ group: String) -> [String]? {
        let state = controls.state.withLock { $0 }
        if state.uninstalledGroups.contains(group) { return nil }
        if let v = state.servedVersions[group] { return v }
        let versions = EmulatedResource.catalog.filter { $0.group == group }.flatMap(\.versions)
        var seen = Set<String>()
        return versions.isEmpty ? nil : versions.filter { seen.insert($0).inserted }
    }

    private func groupDocument(_ group: String, _ versions: [String]) -> JSONValue {
        let list = versions.map { JSONValue.object(["groupVersion": .string("\(group)/\($0)"), "version": .string($0)]) }
        return .object(["name": .string(group), "versions": .array(list), "preferredVersion": list[0]])
    }

    private func resourceList(groupVersion: String, group: String) -> JSONValue {
        let resources = EmulatedResource.catalog.filter { $0.group == group }.map { r in
            JSONValue.object([
                "name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(true),
                "kind": .string(r.kind), "verbs": .array(["get", "list"].map(JSONValue.string)),
            ])
        }
        return .object([
            "kind": .string("APIResourceList"), "apiVersion": .string("v1"),
            "groupVersion": .string(groupVersion), "resources": .array(resources),
        ])
    }

    private func core(_ parts: [String], _ request: EmulatorRequest, user: String) async -> EmulatorResponse {
        if parts.isEmpty {
            return .json(
                200,
                JSONValue.object([
                    "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
                    "serverAddressByClientCIDRs": .array([
                        .object([
                            "clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string("127.0.0.1:\(port.load(ordering: .relaxed))"),
                        ])
                    ]),
                ]).jsonText)
        }
        guard parts[0] == "v1" else { return KubeAPIStatus.pageNotFound() }
        if parts.count == 1 { return .json(200, resourceList(groupVersion: "v1", group: "").jsonText) }
        return await objects(Array(parts.dropFirst()), group: "", version: "v1", request, user: user)
    }

    private func groups(_ parts: [String], _ request: EmulatorRequest, user: String) async -> EmulatorResponse {
        if parts.isEmpty {
            let docs = EmulatedResource.groups.compactMap { g in servedVersions(g).map { groupDocument(g, $0) } }
            return .json(
                200, JSONValue.object(["kind": .string("APIGroupList"), "apiVersion": .string("v1"), "groups": .array(docs)]).jsonText)
        }
        let group = parts[0]
        guard let versions = servedVersions(group) else { return KubeAPIStatus.pageNotFound() }
        if parts.count == 1 {
            var doc = groupDocument(group, versions)
            doc["kind"] = .string("APIGroup")
            doc["apiVersion"] = .string("v1")
            return .json(200, doc.jsonText)
        }
        guard versions.contains(parts[1]) else { return KubeAPIStatus.pageNotFound() }
        if parts.count == 2 { return .json(200, resourceList(groupVersion: "\(group)/\(parts[1])", group: group).jsonText) }
        return await objects(Array(parts.dropFirst(2)), group: group, version: parts[1], request, user: user)
    }

    // MARK: objects

    private func objects(
        _ parts: [String], group: String, version: String, _ request: EmulatorRequest, user: String
    ) async -> EmulatorResponse {
        var namespace: String?
        var rest = parts
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[1]
            rest = Array(rest.dropFirst(2))
        }
        guard let plural = rest.first, let resource = EmulatedResource.forPath(group: group, plural: plural), rest.count <= 2 else {
            return KubeAPIStatus.pageNotFound()
        }
        let name = rest.count == 2 ? rest[1] : nil
        let verb = name == nil ? "list" : "get"
        let denied = controls.state.withLock { $0 }.denials.contains { d in
            (d.user == nil || d.user == user) && d.verb == verb && d.resource == resource.plural
                && (d.namespace == nil || d.namespace == namespace)
                && (!d.clusterScopeOnly || namespace == nil)
        }
        if denied { return KubeAPIStatus.forbidden(user: user, verb: verb, resource: resource, namespace: namespace, name: name) }
        let apiVersion = group.isEmpty ? version : "\(group)/\(version)"
        if let name {
            guard let namespace, var object = await store.get(resource, namespace: namespace, name: name) else {
                return KubeAPIStatus.notFound(resource: resource, name: name)
            }
            object["apiVersion"] = .string(apiVersion)
            return .json(200, object.jsonText)
        }
        return await list(resource, apiVersion: apiVersion, namespace: namespace, request)
    }

    private func list(
        _ resource: EmulatedResource, apiVersion: String, namespace: String?, _ request: EmulatorRequest
    ) async -> EmulatorResponse {
        let query = request.query
        // The same grammar and validation the API server applies (apimachinery labels.Parse); a
        // malformed selector is a 400, as on a real cluster.
        var selector: LabelSelector?
        if let text = query["labelSelector"], !text.isEmpty {
            do { selector = try LabelSelector(parsing: text) } catch {
                return KubeAPIStatus.badRequest("unable to parse requirement: \(error.description)")
            }
        }
        var fields: [(path: String, value: String, equal: Bool)] = []
        if let text = query["fieldSelector"], !text.isEmpty {
            switch FieldSelector.parse(text, allowed: resource.selectableFields, resource: resource) {
            case let .success(parsed): fields = parsed
            case let .failure(message): return KubeAPIStatus.badRequest(message.text)
            }
        }
        var after: ContinueToken?
        if let token = query["continue"], !token.isEmpty {
            let state = controls.state.withLock { $0 }
            guard let decoded = ContinueToken(encoded: token) else { return KubeAPIStatus.badRequest("continue key is not valid") }
            let expireNow = controls.state.withLock { s -> Bool in
                if s.expiredTokens.contains(token) { return true }
                guard s.continueTokensToExpire > 0 else { return false }
                s.continueTokensToExpire -= 1
                s.expiredTokens.insert(token)
                return true
            }
            if expireNow || decoded.epoch != state.tokenEpoch { return KubeAPIStatus.expired() }
            after = decoded
        } else {
            // A list from the start gets a new resourceVersion, so its tokens are new ones.
            controls.state.withLock { $0.expiredTokens.removeAll() }
        }
        var items = await store.list(resource, namespace: namespace)
        if let selector {
            items = items.filter { item in
                var labels: [String: String] = [:]
                if case let .object(o)? = item.object.at("metadata.labels") {
                    for (k, v) in o { if let s = v.stringValue { labels[k] = s } }
                }
                return selector.matches(labels)
            }
        }
        if !fields.isEmpty {
            items = items.filter { item in
                fields.allSatisfy { f in ((item.object.at(f.path)?.stringValue ?? "") == f.value) == f.equal }
            }
        }
        if let after { items = items.filter { ($0.key.namespace, $0.key.name) > (after.namespace, after.name) } }
        let limit = Int(query["limit"] ?? "") ?? 0
        var nextToken = ""
        if limit > 0, items.count > limit {
            items = Array(items.prefix(limit))
            let last = items[items.count - 1].key
            nextToken = ContinueToken(epoch: controls.state.withLock { $0 }.tokenEpoch, namespace: last.namespace, name: last.name).encoded
        }
        let kind = resource.kind + "List"
        let listed = items.map { item -> JSONValue in
            var object = item.object
            object["apiVersion"] = .string(apiVersion)
            return object
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(await store.revision))]
        if !nextToken.isEmpty {
            metadata["continue"] = .string(nextToken)
        }
        return .json(
            200,
            JSONValue.object([
                "kind": .string(kind), "apiVersion": .string(apiVersion),
                "metadata": .object(metadata), "items": .array(listed),
            ]).jsonText)
    }
}

/// An opaque continue token: the last key returned and the epoch it was issued in.
struct ContinueToken {
    var epoch: Int
    var namespace: String
    var name: String

    var encoded: String {
        Data(JSONValue.object(["e": .int(epoch), "ns": .string(namespace), "n": .string(name)]).jsonText.utf8).base64EncodedString()
    }

    init(epoch: Int, namespace: String, name: String) {
        self.epoch = epoch
        self.namespace = namespace
        self.name = name
    }

    init?(encoded: String) {
        struct Raw: Decodable { var e: Int; var ns: String; var n: String }
        guard let data = Data(base64Encoded: encoded), let raw = try? JSONDecoder().decode(Raw.self, from: data) else { return nil }
        self.init(epoch: raw.e, namespace: raw.ns, name: raw.n)
    }
}

/// A field selector (`involvedObject.kind=Kustomization,type!=Normal`) as the API server parses it:
/// `=`, `==` and `!=` on the fields a resource allows; anything else is a 400.
enum FieldSelector {
    struct Message: Error { var text: String }

    static func parse(
        _ text: String, allowed: [String: String], resource: EmulatedResource
    )
        -> Result<[(path: String, value: String, equal: Bool)], Message>
    {
        var out: [(path: String, value: String, equal: Bool)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let (field, value, equal): (String, String, Bool)
            if let r = part.range(of: "!=") {
                (field, value, equal) = (String(part[..<r.lowerBound]), String(part[r.upperBound...]), false)
            } else if let r = part.range(of: "==") ?? part.range(of: "=") {
                (field, value, equal) = (String(part[..<r.lowerBound]), String(part[r.upperBound...]), true)
            } else {
                return .failure(Message(text: "invalid selector: '\(text)'; can't understand '\(part)'"))
            }
            guard let path = allowed[field] else {
                if resource.group.isEmpty {
                    return .failure(Message(text: "field label not supported: \(field)"))
                }
                return .failure(Message(text: "\"\(field)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""))
            }
            out.append((path, value, equal))
        }
        return .success(out)
    }
}
