import Foundation

/// A Kustomization's identity: namespace and name.
public struct KustomizationID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The namespace.
    public var namespace: String
    /// The name.
    public var name: String

    /// Creates an id.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: KustomizationID, rhs: KustomizationID) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// Whether an apply succeeded or failed.
public enum Outcome: String, Sendable, Hashable, Codable {
    /// Applied and healthy.
    case succeeded
    /// Failed to build, apply, prune or pass health checks.
    case failed
}

/// Where an observation came from.
public enum ObservationOrigin: String, Sendable, Hashable, Codable {
    /// The Kustomization's current status (Ready condition, last applied/attempted revision).
    case status
    /// A `status.history` snapshot.
    case history
    /// A Flux event.
    case event
    /// What an earlier run recorded in the ledger.
    case ledger
}

/// One fact about a Kustomization: a revision, what happened to it, and when.
public struct Observation: Sendable, Hashable {
    /// The Kustomization it is about.
    public var kustomization: KustomizationID
    /// The revision as Flux wrote it (`main@sha1:…`).
    public var revision: String
    /// Succeeded or failed.
    public var outcome: Outcome
    /// Flux's reason (`ReconciliationSucceeded`, `HealthCheckFailed`, …).
    public var reason: String
    /// Flux's message, if any.
    public var message: String
    /// When it was true; nil when unknown (a past success whose time Flux did not keep), which
    /// orders before every timed observation.
    public var time: Date?
    /// Where it came from.
    public var origin: ObservationOrigin
    /// Whether it is the Ready condition's current word on this revision (it beats history).
    public var isCurrent: Bool
    /// When Flux last reported this fact (a history snapshot's `lastReconciled`; for the Ready
    /// condition, the newest of its transition time and the matching snapshot's). Two
    /// Kustomizations that share notification-controller's context (same name, other namespaces)
    /// are decided by it: the later report is the status NC left.
    public var reportedAt: Date?
    /// The message of the event kustomize-controller emitted for this fact, as far as it is known
    /// (Alert inclusion and exclusion lists match it).
    public var eventMessage: EventMessage

    /// Creates an observation.
    public init(
        kustomization: KustomizationID, revision: String, outcome: Outcome, reason: String,
        message: String = "", time: Date?, origin: ObservationOrigin, isCurrent: Bool = false,
        reportedAt: Date? = nil, eventMessage: EventMessage? = nil
    ) {
        self.kustomization = kustomization
        self.revision = revision
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.time = time
        self.origin = origin
        self.isCurrent = isCurrent
        self.reportedAt = reportedAt ?? time
        self.eventMessage = eventMessage ?? (outcome == .succeeded ? .reconciliationFinished(interval: nil) : .unknown)
    }

    /// Whether this observation should win over `other` for the same commit: the current Ready
    /// condition first, then the later time (unknown times are the oldest).
    public func supersedes(_ other: Observation) -> Bool {
        if isCurrent != other.isCurrent { return isCurrent }
        switch (time, other.time) {
        case let (a?, b?): return a > b
        case (.some, nil): return true
        default: return false
        }
    }
}

/// The words notification-controller uses, reproduced byte for byte.
public enum NotificationText {
    /// A reason split at camel-case boundaries, joined with spaces, lower-cased:
    /// `ReconciliationSucceeded` → `reconciliation succeeded`, `HealthCheckFailed` → `health check failed`.
    ///
    /// The split follows the camel-case splitter notification-controller uses: runs of lower-case
    /// letters, upper-case letters, digits and other characters, where the last letter of an
    /// upper-case run starts the lower-case run after it (`HTTPServer` → `HTTP Server`).
    public static func description(forReason reason: String) -> String {
        enum Class { case lower, upper, digit, other }
        func classify(_ c: Character) -> Class {
            if c.isLowercase { return .lower }
            if c.isUppercase { return .upper }
            if c.isNumber { return .digit }
            return .other
        }
        var runs: [[Character]] = []
        var lastClass: Class?
        for character in reason {
            let kind = classify(character)
            if kind == lastClass { runs[runs.count - 1].append(character) } else { runs.append([character]) }
            lastClass = kind
        }
        for i in runs.indices.dropLast() where classify(runs[i][0]) == .upper && classify(runs[i + 1][0]) == .lower {
            runs[i + 1].insert(runs[i].removeLast(), at: 0)
        }
        return runs.filter { !$0.isEmpty }.map { String($0) }.joined(separator: " ").lowercased()
    }
}
