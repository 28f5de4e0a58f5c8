import Foundation

/// The `metadata` every Kubernetes object has (the fields fluxstamp uses).
public struct ObjectMeta: Sendable, Codable, Equatable {
    /// Object name.
    public var name: String
    /// Namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// Unique id assigned by the API server (a UUID).
    public var uid: String?
    /// Labels.
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?
    /// Resource version, opaque.
    public var resourceVersion: String?
    /// Spec generation.
    public var generation: Int?

    /// Creates metadata.
    public init(name: String, namespace: String? = nil, uid: String? = nil, labels: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var qualifiedName: String { namespace.map { "\($0)/\(name)" } ?? name }
}

/// A decodable Kubernetes object with metadata; `kind` names it in messages.
public protocol KubeObject: Sendable, Decodable {
    /// The kind, e.g. `Kustomization`.
    static var kind: String { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get }
}

/// A `status.conditions[]` entry.
public struct Condition: Sendable, Codable, Equatable {
    /// Condition type (`Ready`, `Reconciling`, `Stalled`, …).
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    /// CamelCase reason, e.g. `ReconciliationSucceeded`.
    public var reason: String?
    /// Human-readable message.
    public var message: String?
    /// RFC 3339 time of the last transition.
    public var lastTransitionTime: String?
    /// Generation the condition was computed for.
    public var observedGeneration: Int?

    /// Creates a condition.
    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// A reference to a Secret in the same namespace (`secretRef: {name}`).
public struct LocalObjectReference: Sendable, Codable, Equatable {
    /// The referenced object's name.
    public var name: String
}

/// Decodes one list item, keeping a clear error instead of failing the whole list.
struct LenientItem<T: KubeObject>: Decodable {
    var result: Result<T, KubeError>

    init(from decoder: Decoder) throws {
        do {
            result = .success(try T(from: decoder))
        } catch let error as DecodingError {
            let meta = (try? NamedOnly(from: decoder))?.metadata
            let object = [meta?.namespace, meta?.name ?? "<unnamed>"].compactMap { $0 }.joined(separator: "/")
            let (field, reason) = error.fieldAndReason(below: decoder.codingPath)
            result = .failure(.invalidObject(kind: T.kind, object: object, field: field, reason: reason))
        }
    }
}

/// Just the name and namespace of an object, to label a decoding error.
private struct NamedOnly: Decodable {
    struct Meta: Decodable { var name: String?; var namespace: String? }
    var metadata: Meta?
}

extension DecodingError {
    /// The failing field (relative to `prefix`, the object's own position) and why.
    func fieldAndReason(below prefix: [CodingKey] = []) -> (String, String) {
        func relative(_ path: [CodingKey]) -> String { Array(path.dropFirst(prefix.count)).dottedPath }
        switch self {
        case let .keyNotFound(key, ctx): return (relative(ctx.codingPath + [key]), "is required but missing")
        case let .typeMismatch(type, ctx): return (relative(ctx.codingPath), "has the wrong type (expected \(type))")
        case let .valueNotFound(type, ctx): return (relative(ctx.codingPath), "is null (expected \(type))")
        case let .dataCorrupted(ctx): return (relative(ctx.codingPath), ctx.debugDescription)
        @unknown default: return ("", "\(self)")
        }
    }
}
