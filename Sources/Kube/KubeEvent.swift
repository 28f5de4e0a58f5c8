import Foundation

/// A core `v1` Kubernetes `Event`, the fields fluxstamp reads.
///
/// Flux controllers record events through controller-runtime's `GetEventRecorderFor`, i.e. client-go
/// `tools/record`, which writes core `v1` Events: `firstTimestamp`/`lastTimestamp` and `count` are
/// set, `eventTime` and `series` are empty. Writers that use the newer `events.k8s.io/v1` API set
/// `eventTime` (and `series` when they aggregate) instead; both shapes are read here. (The two APIs
/// are views of the same objects, so reading core `v1` sees events written either way.)
public struct KubeEvent: KubeObject, Equatable {
    /// `Event`.
    public static let kind = "Event"
    /// Metadata; kustomize-controller puts the revision in `metadata.annotations`.
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: InvolvedObject
    /// CamelCase reason (for kustomize-controller: the Ready condition's reason).
    public var reason: String?
    /// Human-readable message.
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// How many times this event was seen (client-go aggregation); nil means once.
    public var count: Int?
    /// First time seen (`metav1.Time`, seconds).
    public var firstTimestamp: Date?
    /// Last time seen (`metav1.Time`, seconds).
    public var lastTimestamp: Date?
    /// When the event was first observed (`metav1.MicroTime`), set by `events.k8s.io/v1` writers.
    public var eventTime: Date?
    /// Aggregation of an `events.k8s.io/v1` event series.
    public var series: Series?
    /// The component that reported it (`kustomize-controller`).
    public var source: Source?
    /// `reportingComponent` of `events.k8s.io/v1` writers.
    public var reportingComponent: String?

    /// `involvedObject`.
    public struct InvolvedObject: Sendable, Codable, Equatable {
        /// Kind (`Kustomization`).
        public var kind: String?
        /// Namespace.
        public var namespace: String?
        /// Name.
        public var name: String?
        /// `group/version` (`kustomize.toolkit.fluxcd.io/v1`).
        public var apiVersion: String?
        /// The object's uid at the time of the event.
        public var uid: String?
    }

    /// `series`.
    public struct Series: Sendable, Equatable {
        /// Occurrences in the series.
        public var count: Int?
        /// The last occurrence.
        public var lastObservedTime: Date?
    }

    /// `source`.
    public struct Source: Sendable, Codable, Equatable {
        /// Component name.
        public var component: String?
    }

    /// When the event last happened: the series' last observation, else `lastTimestamp`, else
    /// `eventTime`, else `firstTimestamp`.
    public var lastSeen: Date? { series?.lastObservedTime ?? lastTimestamp ?? eventTime ?? firstTimestamp }
    /// When the event first happened: `firstTimestamp`, else `eventTime`.
    public var firstSeen: Date? { firstTimestamp ?? eventTime ?? lastSeen }
    /// Occurrences: the series count, else `count`, else 1.
    public var occurrences: Int { max(series?.count ?? count ?? 1, 1) }
}

extension KubeEvent {
    private enum CodingKeys: String, CodingKey {
        case metadata, involvedObject, reason, message, type, count, firstTimestamp, lastTimestamp, eventTime, series, source,
            reportingComponent
    }

    /// Decodes an Event; times are RFC 3339 (`eventTime` with microseconds), null or absent.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(ObjectMeta.self, forKey: .metadata)
        involvedObject =
            try c.decodeIfPresent(InvolvedObject.self, forKey: .involvedObject)
            ?? InvolvedObject(kind: nil, namespace: nil, name: nil, apiVersion: nil, uid: nil)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        firstTimestamp = try RFC3339.decodeIfPresent(c, .firstTimestamp)
        lastTimestamp = try RFC3339.decodeIfPresent(c, .lastTimestamp)
        eventTime = try RFC3339.decodeIfPresent(c, .eventTime)
        series = try c.decodeIfPresent(Series.self, forKey: .series)
        source = try c.decodeIfPresent(Source.self, forKey: .source)
        reportingComponent = try c.decodeIfPresent(String.self, forKey: .reportingComponent)
    }
}

extension KubeEvent.Series: Decodable {
    private enum CodingKeys: String, CodingKey { case count, lastObservedTime }

    /// Decodes `series`, reading `lastObservedTime` as RFC 3339.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        lastObservedTime = try RFC3339.decodeIfPresent(c, .lastObservedTime)
    }
}

/// One reconcile outcome kustomize-controller recorded as a Kubernetes Event on a Kustomization.
public struct KustomizationEvent: Sendable, Equatable {
    /// `Normal` or `Warning`.
    public enum EventType: String, Sendable, Equatable {
        /// Info severity (a success, or progress such as an apply change set).
        case normal = "Normal"
        /// Error severity: a failure.
        case warning = "Warning"
    }

    /// The Kustomization's namespace.
    public var namespace: String
    /// The Kustomization's name.
    public var name: String
    /// The Ready condition's reason when the event was recorded (`ReconciliationSucceeded`,
    /// `HealthCheckFailed`, …), or the severity (`info`/`error`) when there was none.
    public var reason: String
    /// The message (`Reconciliation finished in 1.2s, next run in 10m0s`, or the failure).
    public var message: String
    /// `Normal` or `Warning`; nil for any other value.
    public var type: EventType?
    /// The source revision (annotation `kustomize.toolkit.fluxcd.io/revision`), when recorded.
    public var revision: String?
    /// The OCI origin revision (annotation `kustomize.toolkit.fluxcd.io/originRevision`).
    public var originRevision: String?
    /// Whether kustomize-controller marked it a commit-status update
    /// (`kustomize.toolkit.fluxcd.io/commit_status: update`, set on the success event).
    public var isCommitStatusUpdate: Bool
    /// When it last happened (see `KubeEvent.lastSeen`).
    public var time: Date?
    /// When it first happened (see `KubeEvent.firstSeen`).
    public var firstTime: Date?
    /// How many times it happened between `firstTime` and `time` (aggregated by the recorder).
    public var count: Int
    /// The Event object's own name, for messages.
    public var eventName: String
    /// All annotations of the Event (keys prefixed with the Kustomization's API group, and
    /// `event.toolkit.fluxcd.io/…` keys copied from the Kustomization's annotations).
    public var annotations: [String: String]

    /// The annotation key kustomize-controller stores the revision under.
    public static let revisionAnnotation = "kustomize.toolkit.fluxcd.io/revision"
    /// The annotation key for the OCI origin revision.
    public static let originRevisionAnnotation = "kustomize.toolkit.fluxcd.io/originRevision"
    /// The annotation key marking a commit-status update.
    public static let commitStatusAnnotation = "kustomize.toolkit.fluxcd.io/commit_status"

    /// `namespace/name` of the Kustomization.
    public var kustomization: String { "\(namespace)/\(name)" }
    /// Whether it reports a failure (a Warning event).
    public var isFailure: Bool { type == .warning }

    /// The Kustomization event an Event describes, or nil when it is not about a
    /// `kustomize.toolkit.fluxcd.io` Kustomization.
    public init?(_ event: KubeEvent) {
        let object = event.involvedObject
        guard object.kind == Kustomization.kind, let name = object.name, let namespace = object.namespace ?? event.metadata.namespace,
            object.apiVersion.map({ $0.hasPrefix(ResourceType.kustomizations.group + "/") }) ?? true
        else { return nil }
        self.namespace = namespace
        self.name = name
        let annotations = event.metadata.annotations ?? [:]
        reason = event.reason ?? ""
        message = event.message ?? ""
        type = event.type.flatMap(EventType.init(rawValue:))
        revision = annotations[Self.revisionAnnotation].flatMap { $0.isEmpty ? nil : $0 }
        originRevision = annotations[Self.originRevisionAnnotation].flatMap { $0.isEmpty ? nil : $0 }
        isCommitStatusUpdate = annotations[Self.commitStatusAnnotation] == "update"
        time = event.lastSeen
        firstTime = event.firstSeen
        count = event.occurrences
        eventName = event.metadata.name
        self.annotations = annotations
    }
}

/// The events of the selected Kustomizations, and what could not be read.
public struct KustomizationEvents: Sendable {
    /// Events per Kustomization (`namespace/name`), oldest first.
    public var byKustomization: [String: [KustomizationEvent]]
    /// Reads that failed (a 403 names the verb `list` and the resource `events`); never fatal.
    public var problems: [KubeError]

    /// The events of one Kustomization, oldest first (empty when none are kept).
    public func events(namespace: String, name: String) -> [KustomizationEvent] { byKustomization["\(namespace)/\(name)"] ?? [] }
}

extension FluxAPI {
    /// Reads the Kubernetes events of `kustomizations` with `fieldSelector=involvedObject.kind=Kustomization`,
    /// paginated like every list: one list in `namespace` when given; otherwise one cluster-wide
    /// list, falling back to one list per namespace of the Kustomizations when the cluster-wide
    /// list is forbidden (namespaced RBAC). A failure (403, 5xx, …) is returned as a problem,
    /// never thrown: events are a supplement, the Kustomizations' status is the primary source.
    ///
    /// Kubernetes keeps events for the API server's `--event-ttl` (default one hour), so only
    /// recent outcomes are seen.
    public func kustomizationEvents(for kustomizations: [Kustomization], namespace: String?) async -> KustomizationEvents {
        var result = KustomizationEvents(byKustomization: [:], problems: [])
        let wanted = Set(kustomizations.map { "\($0.metadata.namespace ?? "")/\($0.metadata.name)" })
        guard !wanted.isEmpty else { return result }
        var listed: [KubeEvent] = []
        do {
            do {
                let page = try await listKustomizationEvents(namespace)
                listed += page.items
                result.problems += page.invalid
            } catch KubeError.forbidden where namespace == nil {
                let namespaces = Set(kustomizations.compactMap(\.metadata.namespace)).sorted()
                client.logger.info(
                    "listing events cluster-wide is forbidden; listing them per namespace",
                    metadata: [
                        "namespaces": "\(namespaces.joined(separator: ","))"
                    ])
                for ns in namespaces {
                    do {
                        let page = try await listKustomizationEvents(ns)
                        listed += page.items
                        result.problems += page.invalid
                    } catch let error as KubeError {
                        result.problems.append(error)
                    }
                }
            }
        } catch let error as KubeError {
            result.problems.append(error)
        } catch {
            result.problems.append(.transport(server: client.connection.server, reason: "\(error)", fix: "retry"))
        }
        for event in listed {
            guard let k = KustomizationEvent(event), wanted.contains(k.kustomization) else { continue }
            result.byKustomization[k.kustomization, default: []].append(k)
        }
        for key in result.byKustomization.keys {
            result.byKustomization[key]?.sort { ($0.time ?? .distantPast, $0.eventName) < ($1.time ?? .distantPast, $1.eventName) }
        }
        return result
    }

    private func listKustomizationEvents(_ namespace: String?) async throws -> ListResult<KubeEvent> {
        try await list(KubeEvent.self, .events, namespace: namespace, fieldSelector: "involvedObject.kind=\(Kustomization.kind)")
    }
}
