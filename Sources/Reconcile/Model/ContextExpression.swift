import CEL
import Foundation

/// A Provider's `spec.commitStatusExpr`: the context is whatever notification-controller computes
/// by evaluating it over `event`, `alert` and `provider` (NC `newCommitStatus`,
/// `internal/server/provider_commit_status.go`), each the object converted to a map with its JSON
/// field names (`runtime.DefaultUnstructuredConverter.ToUnstructured`).
///
/// The event is rebuilt per observation as kustomize-controller emits it and NC reshapes it
/// (`combineEventMetadata`): `involvedObject`, `severity`, `reason`, `reportingController` and the
/// metadata keys (`revision`, `originRevision`, `commit_status`, the Alert's `eventMetadata` and
/// `summary`, the object's `event.toolkit.fluxcd.io/*` annotations) are known; `message` (unless
/// the Ready condition still holds it), `timestamp`, `reportingInstance` and the object's
/// `resourceVersion` are not. Fields of the Alert and Provider that fluxstamp does not read are
/// unknown too. An expression whose value depends on an unknown is not reproducible; one that NC
/// itself cannot evaluate (a missing key is an error in CEL) is reported as such.
public struct ContextExpression: Sendable, Hashable {
    /// The expression, as the Provider gives it.
    public var source: String
    /// `provider`, with the paths fluxstamp does not know.
    public var provider: CELValue
    /// Paths of `provider` that are not known.
    public var providerUnknowns: [[String]]
    /// `alert`, with the paths fluxstamp does not know.
    public var alert: CELValue
    /// Paths of `alert` that are not known.
    public var alertUnknowns: [[String]]
    /// `event.involvedObject`.
    public var involvedObject: CELValue
    /// Metadata every event of this Kustomization through this Alert carries, after NC combined it
    /// (annotations, Alert `eventMetadata` and `summary`); nil when the Alert's part is not known.
    public var metadata: [String: String]?

    /// Creates an expression with the objects it is evaluated over.
    public init(
        source: String, provider: CELValue, providerUnknowns: [[String]], alert: CELValue, alertUnknowns: [[String]],
        involvedObject: CELValue, metadata: [String: String]?
    ) {
        self.source = source
        self.provider = provider
        self.providerUnknowns = providerUnknowns
        self.alert = alert
        self.alertUnknowns = alertUnknowns
        self.involvedObject = involvedObject
        self.metadata = metadata
    }

    /// The metadata every event carries after NC's `combineEventMetadata`, lowest precedence first:
    /// the object's `event.toolkit.fluxcd.io/<key>` annotations (the recorder copies them into the
    /// event; NC strips the prefix), the Alert's `spec.eventMetadata`, the Alert's `spec.summary` as
    /// `summary`. (The controller's own keys, `revision` and the like, come last, per event.)
    public static func combinedMetadata(
        objectAnnotations: [String: String], alertEventMetadata: [String: String],
        alertSummary: String?
    ) -> [String: String] {
        let prefix = "event.toolkit.fluxcd.io/"
        var metadata: [String: String] = [:]
        for (key, value) in objectAnnotations where key.hasPrefix(prefix) {
            metadata[String(key.dropFirst(prefix.count))] = value
        }
        metadata.merge(alertEventMetadata) { _, alert in alert }
        if let alertSummary, !alertSummary.isEmpty { metadata["summary"] = alertSummary }
        return metadata
    }

    /// What the expression gives for one fact.
    public enum Outcome: Sendable, Hashable {
        /// The context NC posts under.
        case context(String)
        /// It depends on what fluxstamp cannot know (the paths, e.g. `event.message`).
        case notReproducible(String)
        /// NC cannot evaluate it either (or it is CEL this evaluator does not implement): the error.
        case failed(String)
    }

    /// The context for a fact with this outcome, reason, revision and event message.
    public func context(outcome: Outcome.Fact) -> Outcome {
        let program: CELProgram
        do { program = try CELProgram(parsing: source) } catch {
            return .failed("spec.commitStatusExpr does not compile: \(error)")
        }
        var event: [String: CELValue] = [
            "involvedObject": involvedObject,
            "severity": .string(outcome.succeeded ? "info" : "error"),
            "reason": .string(outcome.reason),
            "reportingController": "kustomize-controller",
        ]
        var unknowns: [[String]] = [["timestamp"], ["reportingInstance"], ["involvedObject", "resourceVersion"]]
        if let message = outcome.message { event["message"] = .string(message) } else { unknowns.append(["message"]) }
        var metadata = metadata ?? [:]
        metadata["revision"] = outcome.revision
        if let origin = outcome.originRevision { metadata["originRevision"] = origin }
        if outcome.succeeded { metadata["commit_status"] = "update" }
        event["metadata"] = .map(Dictionary(uniqueKeysWithValues: metadata.map { (CELMapKey.string($0.key), CELValue.string($0.value)) }))
        if self.metadata == nil { unknowns.append(["metadata"]) }
        let result = program.evaluate([
            "event": CELBinding(
                .map(Dictionary(uniqueKeysWithValues: event.map { (CELMapKey.string($0.key), $0.value) })),
                unknownPaths: unknowns),
            "alert": CELBinding(alert, unknownPaths: alertUnknowns),
            "provider": CELBinding(provider, unknownPaths: providerUnknowns),
        ])
        switch result {
        case .value(.string(let context)): return .context(context)
        case .value(let other): return .failed("spec.commitStatusExpr gives a \(other.typeName), not a string")
        case .unknown(let paths):
            let unknown = paths.joined(separator: ", ")
            return .notReproducible("spec.commitStatusExpr depends on \(unknown), which fluxstamp cannot know for a past event")
        case .error(let error):
            return .failed("spec.commitStatusExpr cannot be evaluated (notification-controller fails on it too): \(error)")
        }
    }
}

extension ContextExpression.Outcome {
    /// One fact as the event NC received for it.
    public struct Fact: Sendable, Hashable {
        /// Success (severity `info`) or failure (`error`).
        public var succeeded: Bool
        /// The event's reason (the Ready reason when it was emitted).
        public var reason: String
        /// The `revision` metadata.
        public var revision: String
        /// The `originRevision` metadata (OCI sources).
        public var originRevision: String?
        /// The message, when known exactly.
        public var message: String?

        /// Creates a fact.
        public init(succeeded: Bool, reason: String, revision: String, originRevision: String? = nil, message: String? = nil) {
            self.succeeded = succeeded
            self.reason = reason
            self.revision = revision
            self.originRevision = originRevision
            self.message = message
        }

        /// The fact an observation records.
        public init(_ observation: Observation) {
            var message: String?
            if case .known(let text) = observation.eventMessage { message = text }
            self.init(
                succeeded: observation.outcome == .succeeded, reason: observation.reason, revision: observation.revision,
                message: message)
        }
    }
}
