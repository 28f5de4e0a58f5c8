import Foundation

// The ledger's own value types. They deliberately do not reuse the pipeline's types (Reconcile, Kube, Forges):
// the ledger's schema must stay stable while the pipeline changes, so the caller maps its values into these.

/// Identifies one run in one ledger.
public struct RunID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The database key.
    public let rawValue: Int64
    /// Wraps a database key.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    /// Orders runs by when they began.
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The number, as `ledger stats` shows it.
    public var description: String { String(rawValue) }
    /// Encodes as a bare number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    /// Decodes a bare number.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }
}

/// How a run ended.
public enum RunOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every planned status was written.
    case succeeded
    /// Some work failed (a forge, a repository), the rest was done.
    case partial
    /// The run stopped early.
    case failed
}

/// What a run did, in numbers.
public struct RunCounts: Sendable, Hashable, Codable {
    /// Observations read from the cluster (status, history, events).
    public var observed: Int
    /// Statuses the planner wanted on the forges.
    public var planned: Int
    /// Statuses written.
    public var written: Int
    /// Statuses already right on the forge.
    public var unchanged: Int
    /// Statuses that could not be written.
    public var failed: Int

    /// Counts, zero unless given.
    public init(observed: Int = 0, planned: Int = 0, written: Int = 0, unchanged: Int = 0, failed: Int = 0) {
        self.observed = observed
        self.planned = planned
        self.written = written
        self.unchanged = unchanged
        self.failed = failed
    }
}

/// One run as the ledger knows it; `finished == nil` means it never finished (killed, crashed, or still going).
public struct RunRecord: Sendable, Hashable, Codable {
    /// Key of the run.
    public var id: RunID
    /// The cluster name the run was for.
    public var cluster: String
    /// When it began.
    public var started: Date
    /// When it ended; nil while running or when it died.
    public var finished: Date?
    /// fluxstamp version that ran.
    public var version: String
    /// How it ended; nil with `finished`.
    public var outcome: RunOutcome?
    /// What it did.
    public var counts: RunCounts

    /// A run record.
    public init(
        id: RunID, cluster: String, started: Date, finished: Date?, version: String, outcome: RunOutcome?, counts: RunCounts
    ) {
        self.id = id
        self.cluster = cluster
        self.started = started
        self.finished = finished
        self.version = version
        self.outcome = outcome
        self.counts = counts
    }
}

/// The outcome of one reconcile of one revision.
public enum ObservationOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The revision was applied and became ready.
    case succeeded
    /// The revision failed to apply or to become ready.
    case failed
}

/// Where an observation came from.
public enum ObservationOrigin: String, Sendable, Hashable, Codable, CaseIterable {
    /// The Kustomization's current status conditions.
    case status
    /// An entry of `status.history`.
    case history
    /// A Kubernetes Event from kustomize-controller.
    case event
    /// An earlier run's record, read back from the ledger (never stored again).
    case ledger
}

/// One fact: a revision of a Kustomization in a cluster succeeded or failed.
public struct ObservationRecord: Sendable, Hashable, Codable {
    /// Cluster name.
    public var cluster: String
    /// Kustomization namespace.
    public var namespace: String
    /// Kustomization name.
    public var name: String
    /// The Flux revision string (for example `main@sha1:abc…`).
    public var revision: String
    /// The commit, when the revision names one.
    public var sha: String?
    /// Succeeded or failed.
    public var outcome: ObservationOutcome
    /// Condition or event reason.
    public var reason: String
    /// Condition or event message.
    public var message: String
    /// When it happened, as the cluster reported it.
    public var time: Date?
    /// Where it was read.
    public var origin: ObservationOrigin

    /// An observation record.
    public init(
        cluster: String, namespace: String, name: String, revision: String, sha: String?,
        outcome: ObservationOutcome, reason: String, message: String, time: Date?, origin: ObservationOrigin
    ) {
        self.cluster = cluster
        self.namespace = namespace
        self.name = name
        self.revision = revision
        self.sha = sha
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.time = time
        self.origin = origin
    }
}

/// An observation as stored, with the runs that first and last saw it.
public struct StoredObservation: Sendable, Hashable, Codable {
    /// The fact, with the origin that first recorded it.
    public var record: ObservationRecord
    /// The first run that saw it.
    public var firstRun: RunID
    /// When the first run that saw it finished.
    public var firstSeen: Date
    /// The latest run that saw it.
    public var lastRun: RunID
    /// When the latest run that saw it finished.
    public var lastSeen: Date

    /// A stored observation.
    public init(record: ObservationRecord, firstRun: RunID, firstSeen: Date, lastRun: RunID, lastSeen: Date) {
        self.record = record
        self.firstRun = firstRun
        self.firstSeen = firstSeen
        self.lastRun = lastRun
        self.lastSeen = lastSeen
    }
}

/// One commit status fluxstamp wrote to a forge.
public struct WrittenStatusRecord: Sendable, Hashable, Codable {
    /// The forge repository, as the configuration names it.
    public var repository: String
    /// The commit.
    public var sha: String
    /// The status context (key).
    public var context: String
    /// The forge-neutral state (`success`, `failure`, `pending`, `error`).
    public var state: String
    /// The description written.
    public var description: String
    /// When the forge accepted it.
    public var writtenAt: Date

    /// A written-status record.
    public init(repository: String, sha: String, context: String, state: String, description: String, writtenAt: Date) {
        self.repository = repository
        self.sha = sha
        self.context = context
        self.state = state
        self.description = description
        self.writtenAt = writtenAt
    }
}

/// A written status as stored, with the run that wrote it.
public struct StoredWrittenStatus: Sendable, Hashable, Codable {
    /// The run that wrote it.
    public var run: RunID
    /// What was written.
    public var status: WrittenStatusRecord

    /// A stored written status.
    public init(run: RunID, status: WrittenStatusRecord) {
        self.run = run
        self.status = status
    }
}

/// Rows per table and the span of facts per cluster (`fluxstamp ledger stats`).
public struct LedgerStats: Sendable, Hashable {
    /// The reach of one cluster's records.
    public struct ClusterSpan: Sendable, Hashable {
        /// Cluster name.
        public var cluster: String
        /// Runs recorded.
        public var runs: Int
        /// Runs that began and never finished.
        public var unfinishedRuns: Int
        /// Observations recorded.
        public var observations: Int
        /// The earliest first sighting (or reported time, when earlier) of a fact.
        public var oldestFact: Date?
        /// The latest sighting of a fact.
        public var newestFact: Date?
    }

    /// Schema version of the ledger.
    public var schemaVersion: Int
    /// Rows in `runs`.
    public var runs: Int
    /// Rows in `observations`.
    public var observations: Int
    /// Rows in `written_statuses`.
    public var writtenStatuses: Int
    /// Space used: the SQLite file's pages (without its WAL), or the PostgreSQL database's size.
    public var bytes: Int64
    /// One entry per cluster, by name.
    public var clusters: [ClusterSpan]
}

/// Rows per table that an operation removed (`prune`) or added (`importJSONLines`).
public struct RowCounts: Sendable, Hashable {
    /// Rows of `runs`.
    public var runs: Int
    /// Rows of `observations`.
    public var observations: Int
    /// Rows of `written_statuses`.
    public var writtenStatuses: Int
}
