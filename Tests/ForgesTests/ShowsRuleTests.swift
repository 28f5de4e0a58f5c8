import Forges
import Testing

/// The one "what differs" rule, `ForgeKind.shows(_:current:)`, per forge: what a read-back of the
/// forge's stored status looks like, and whether a run would write again.
@Suite("What differs (ForgeKind.shows)")
struct ShowsRuleTests {
    static let long141 = String(repeating: "a", count: 141)
    /// 140 code points of `e` + U+0301 (combining acute): 70 grapheme clusters, 140 scalars.
    static let combining140 = String(repeating: "e\u{301}", count: 70)
    /// 👍🏽 is one grapheme cluster of two code points; 71 of them are 142 code points.
    static let emoji71 = String(repeating: "👍🏽", count: 71)

    struct Case: Sendable, CustomStringConvertible {
        var kind: ForgeKind
        var wanted: CommitState
        var wantedDescription: String
        /// The state word and description as the forge stores and returns them.
        var currentWord: String
        var currentDescription: String
        var shows: Bool
        var description: String { "\(kind) \(wanted) \(wantedDescription.prefix(20).debugDescription) vs \(currentWord)" }
    }

    static let cases: [Case] = [
        // Same state word and description: shown, on every forge.
        .init(
            kind: .github, wanted: .succeeded, wantedDescription: "reconciliation succeeded", currentWord: "success",
            currentDescription: "reconciliation succeeded", shows: true),
        .init(
            kind: .gitlab, wanted: .failed, wantedDescription: "health check failed", currentWord: "failed",
            currentDescription: "health check failed", shows: true),
        .init(
            kind: .bitbucket, wanted: .succeeded, wantedDescription: "x", currentWord: "SUCCESSFUL", currentDescription: "x", shows: true),
        .init(kind: .bitbucketserver, wanted: .failed, wantedDescription: "x", currentWord: "FAILED", currentDescription: "x", shows: true),
        .init(kind: .azuredevops, wanted: .failed, wantedDescription: "x", currentWord: "error", currentDescription: "x", shows: true),
        // Another state word: not shown.
        .init(kind: .github, wanted: .succeeded, wantedDescription: "x", currentWord: "failure", currentDescription: "x", shows: false),
        .init(kind: .azuredevops, wanted: .failed, wantedDescription: "x", currentWord: "failed", currentDescription: "x", shows: false),
        // GitHub's GraphQL answers upper case.
        .init(kind: .github, wanted: .succeeded, wantedDescription: "x", currentWord: "SUCCESS", currentDescription: "x", shows: true),
        // Another description: not shown.
        .init(
            kind: .gitea, wanted: .succeeded, wantedDescription: "deployed with 1a2b3c4", currentWord: "success",
            currentDescription: "deployed with 9f8e7d6", shows: false),
        // Gitea/Forgejo trim whitespace before storing: a trailing space or newline is shown.
        .init(
            kind: .gitea, wanted: .succeeded, wantedDescription: "reconciliation succeeded ", currentWord: "success",
            currentDescription: "reconciliation succeeded", shows: true),
        .init(
            kind: .gitea, wanted: .succeeded, wantedDescription: "\treconciliation succeeded\n", currentWord: "success",
            currentDescription: "reconciliation succeeded", shows: true),
        // Other forges keep whitespace: the stored text has it, a trimmed one differs.
        .init(
            kind: .azuredevops, wanted: .succeeded, wantedDescription: "x ", currentWord: "succeeded", currentDescription: "x", shows: false
        ),
        // GitHub keeps 140 code points: a 141-code-point description is stored cut, and is shown.
        .init(
            kind: .github, wanted: .failed, wantedDescription: long141, currentWord: "failure",
            currentDescription: String(long141.prefix(140)), shows: true),
        .init(
            kind: .github, wanted: .failed, wantedDescription: long141, currentWord: "failure", currentDescription: long141, shows: false),
        // Combining characters: 140 code points fit, though fewer grapheme clusters.
        .init(
            kind: .github, wanted: .failed, wantedDescription: combining140 + "X", currentWord: "failure",
            currentDescription: combining140, shows: true),
        // Emoji with a skin tone are two code points each: GitHub keeps 140 of the 142 (70 emoji).
        .init(
            kind: .github, wanted: .failed, wantedDescription: emoji71, currentWord: "failure",
            currentDescription: String(repeating: "👍🏽", count: 70), shows: true),
        // GitLab keeps 255 code points.
        .init(
            kind: .gitlab, wanted: .failed, wantedDescription: String(repeating: "b", count: 300), currentWord: "failed",
            currentDescription: String(repeating: "b", count: 255), shows: true),
        // Bitbucket Data Center stores descriptions whole.
        .init(
            kind: .bitbucketserver, wanted: .failed, wantedDescription: String(repeating: "b", count: 300), currentWord: "FAILED",
            currentDescription: String(repeating: "b", count: 255), shows: false),
        // Pending on GitLab: pending already pending is shown whatever the description (GitLab
        // refuses to repeat it), running already running too; running when pending is wanted is not.
        .init(
            kind: .gitlab, wanted: .pending, wantedDescription: "waiting", currentWord: "pending", currentDescription: "other",
            shows: true),
        .init(kind: .gitlab, wanted: .running, wantedDescription: "applying", currentWord: "running", currentDescription: "", shows: true),
        .init(
            kind: .gitlab, wanted: .pending, wantedDescription: "waiting", currentWord: "running", currentDescription: "waiting",
            shows: false),
        .init(
            kind: .github, wanted: .pending, wantedDescription: "waiting", currentWord: "pending", currentDescription: "older",
            shows: true),
    ]

    @Test("does the forge already show the wanted status", arguments: cases)
    func shows(_ c: Case) {
        let wanted = CommitStatus(
            sha: String(repeating: "a", count: 40), context: "kustomization/apps/0c9c2e41", state: c.wanted,
            description: c.wantedDescription)
        let current = CommitStatus(
            sha: wanted.sha, context: wanted.context, state: c.kind.commitState(forgeWord: c.currentWord),
            description: c.currentDescription, forgeState: c.currentWord,
            forgeKey: c.kind.statusKey(forContext: wanted.context))
        #expect(c.kind.shows(wanted, current: current) == c.shows)
    }

    @Test(
        "stored descriptions count code points, not grapheme clusters or bytes",
        arguments: [
            (ForgeKind.github, emoji71, 140), (.github, combining140 + "X", 140), (.github, long141, 140),
            (.gitlab, String(repeating: "é", count: 300), 255), (.bitbucket, String(repeating: "z", count: 256), 255),
            (.azuredevops, String(repeating: "z", count: 400), 400),
        ])
    func storedLength(_ kind: ForgeKind, _ text: String, _ scalars: Int) {
        let stored = kind.storedDescription(text)
        #expect(stored.unicodeScalars.count == scalars)
        #expect(text.unicodeScalars.starts(with: stored.unicodeScalars))
    }

    @Test("clients key, word and store as their kind does", arguments: ForgeKind.allCases)
    func clientsDelegate(_ kind: ForgeKind) throws {
        let forge = try StateMappingTests.forge(kind)
        let context = "Kustomization/Apps/0c9c2e41"
        #expect(forge.statusKey(forContext: context) == kind.statusKey(forContext: context))
        for state in CommitState.allCases { #expect(forge.forgeState(for: state) == kind.forgeState(for: state)) }
        #expect(forge.storedDescription(" \(Self.long141) ") == kind.storedDescription(" \(Self.long141) "))
    }
}
