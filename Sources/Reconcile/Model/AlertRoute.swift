import CEL
import Foundation

/// The message of the event kustomize-controller emitted for a fact, as far as fluxstamp can know
/// it: Alert `spec.inclusionList` / `spec.exclusionList` match it (notification-controller,
/// `internal/server/event_handlers.go`, `messageIsIncluded` / `messageIsExcluded`).
public enum EventMessage: Sendable, Hashable {
    /// The exact text (a current failure: the Ready condition's message is the event's message).
    case known(String)
    /// A success: `Reconciliation finished in <duration>, next run in <interval>`
    /// (kustomize-controller's `Reconcile`). The duration is never known for a past fact; the
    /// interval is `spec.interval` as Go prints it (`10m0s`) when known.
    case reconciliationFinished(interval: String?)
    /// Not known (a failure only history remembers).
    case unknown

    /// Stand-ins for the parts fluxstamp cannot know, in Go's `time.Duration.String()` forms. A
    /// filter that answers differently for two of them depends on the unknown part.
    static let durations = ["1.234567891s", "12m3.4s", "850.5ms", "2h0m0.5s", "37.2µs"]
    static let intervals = ["10m0s", "1h0m0s", "30s", "5m0s", "2h30m0s"]

    /// Every text the message could be, as far as a filter can tell; nil when nothing is known.
    var candidates: [String]? {
        switch self {
        case .known(let text): return [text]
        case .unknown: return nil
        case .reconciliationFinished(let interval):
            return Self.durations.indices.map { i in
                "Reconciliation finished in \(Self.durations[i]), next run in \(interval ?? Self.intervals[i])"
            }
        }
    }
}

/// One Alert routing a Kustomization's events to a Provider that posts commit statuses, with what
/// decides whether notification-controller posts a given event (`filterAlertsForEvent`,
/// `eventMatchesAlertSource`).
public struct AlertRoute: Sendable, Hashable {
    /// The Alert, `namespace/name`.
    public var alert: String
    /// `spec.eventSeverity: error`: only failures reach the Provider.
    public var failuresOnly: Bool
    /// `spec.inclusionList`: when not empty, only messages matching one of these are posted.
    public var inclusionList: [String]
    /// `spec.exclusionList`: messages matching one of these are not posted.
    public var exclusionList: [String]

    /// Creates a route.
    public init(alert: String, failuresOnly: Bool = false, inclusionList: [String] = [], exclusionList: [String] = []) {
        self.alert = alert
        self.failuresOnly = failuresOnly
        self.inclusionList = inclusionList
        self.exclusionList = exclusionList
    }

    /// Whether notification-controller posts an event with this outcome and message through this
    /// Alert. Patterns are Go regular expressions matched anywhere in the message; one that does not
    /// compile is skipped, as NC skips it (it only logs an `InvalidConfig` event).
    public func admits(_ outcome: Outcome, message: EventMessage) -> Admission {
        if failuresOnly, outcome == .succeeded { return .filtered("Alert \(alert) routes only error events") }
        if inclusionList.isEmpty, exclusionList.isEmpty { return .posts }
        guard let candidates = message.candidates else {
            return .undecidable("Alert \(alert) filters events by message, and the message of this past event is not known")
        }
        let answers = Set(candidates.map(passes))
        if answers.count > 1 {
            return .undecidable(
                "Alert \(alert)'s inclusionList/exclusionList depends on the reconcile duration in the event message, "
                    + "which is not known")
        }
        return answers.first == true ? .posts : .filtered("Alert \(alert)'s inclusionList/exclusionList drops this event")
    }

    private func passes(_ message: String) -> Bool {
        func matches(_ pattern: String) -> Bool {
            // CEL's `matches` is RE2 matched anywhere, exactly Go's `regexp.Match` that NC calls.
            let result = Self.matcher.evaluate(["m": .string(message), "p": .string(pattern)])
            return result == .value(.bool(true))
        }
        if !inclusionList.isEmpty, !inclusionList.contains(where: matches) { return false }
        return !exclusionList.contains(where: matches)
    }

    // A constant expression: parsing cannot fail.
    // swiftlint:disable:next force_try
    private static let matcher = try! CELProgram(parsing: "m.matches(p)")
}

/// Whether notification-controller would post a status for a fact through a target's Alerts.
public enum Admission: Sendable, Hashable {
    /// At least one Alert posts it.
    case posts
    /// Every Alert drops it (severity or message filters): fluxstamp writes it only to correct a
    /// failure the cluster contradicts.
    case filtered(String)
    /// No Alert surely posts it and one might, depending on what fluxstamp cannot know: not written.
    case undecidable(String)

    /// The admission through any of several Alerts: posted if one posts it.
    static func any(_ admissions: [Admission]) -> Admission {
        if admissions.isEmpty || admissions.contains(.posts) { return .posts }
        if let undecidable = admissions.first(where: { if case .undecidable = $0 { return true } else { return false } }) {
            return undecidable
        }
        return admissions[0]
    }
}
