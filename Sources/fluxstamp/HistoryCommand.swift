import ArgumentParser
import Foundation
import GitHistory
import Reconcile

/// `fluxstamp history`: what the git side of fluxstamp sees, on a real repository.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the first-parent history of a ref and which watched paths each commit touched.",
        discussion: """
        With --between A B, show the commits a deployment of B carried when A was the previous
        deployment (B's first-parent chain down to, not including, what A contains). A and B may be
        shas, refs or Flux revisions such as main@sha1:<sha>.
        """)

    @Option(name: .long, help: "A local repository path, or a URL to mirror into --cache-dir.")
    var repo: String

    @Option(name: .long, help: "The ref or commit to walk from.")
    var ref: String = "HEAD"

    @Option(name: .customLong("path"), help: "A watched path, as a Kustomization's spec.path (repeatable).")
    var paths: [String] = []

    @Option(name: .long, help: "Stop at commits older than this: a duration (72h, 7d) or a date (2026-11-01).")
    var since: String?

    @Option(name: .long, help: "Show at most this many commits.")
    var limit: Int?

    @Flag(name: .long, help: "Show only commits that touched a watched path.")
    var touching = false

    @Option(name: .long, parsing: .upToNextOption, help: "Two revisions A B: the commits a deployment of B carried after A.")
    var between: [String] = []

    @Flag(name: .long, help: "Print one JSON document instead of a table.")
    var json = false

    @OptionGroup var git: GitOptions

    func validate() throws {
        if !between.isEmpty, between.count != 2 {
            throw ValidationError("--between takes exactly two revisions, A and B (got \(between.count))")
        }
        if let since, Horizon.parse(since) == nil {
            throw ValidationError("--since '\(since)' is neither a duration (90m, 72h, 7d, 2w) nor a date (2026-11-01)")
        }
    }

    func run() async throws {
        do {
            let repository = try git.open(repo)
            let entries: [HistoryEntry]
            if between.count == 2 {
                let from = try resolve(between[0], in: repository)
                let to = try resolve(between[1], in: repository)
                entries = try repository.carried(after: from, upTo: to).map { HistoryEntry(commit: $0, paths: []) }
            } else {
                entries = try walk(repository)
            }
            print(json ? HistoryEntry.json(entries) : HistoryEntry.table(entries, watching: !paths.isEmpty))
        } catch let error as GitError {
            printError(error.description)
            throw ExitCode(error.kind == .notFound || error.kind == .ambiguous ? 1 : 2)
        } catch let error as NoCommit {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    private func walk(_ repository: Repository) throws -> [HistoryEntry] {
        let start = try repository.resolve(ref)
        let limits = WalkLimits(since: since.flatMap { Horizon.parse($0) }, maxCount: touching ? nil : limit)
        var entries: [HistoryEntry] = []
        try repository.walkFirstParent(from: start, paths: paths, limits: limits, details: true) { walked in
            if touching, walked.touched.isEmpty { return true }
            entries.append(HistoryEntry(commit: walked.details!, paths: walked.touched.map { paths[$0] }))
            return limit.map { entries.count < $0 } ?? true
        }
        return entries
    }

    /// A Flux revision names its commit; anything else is handed to git as a sha or ref.
    private func resolve(_ text: String, in repository: Repository) throws -> ObjectID {
        switch Revision.parse(text) {
        case .success(let revision): return try repository.resolve(revision.commit.get())
        case .failure(.sha256Digest(let revision)): throw NoCommit.sha256Digest(revision)
        case .failure: return try repository.resolve(text)
        }
    }
}

/// One line of `history` output.
struct HistoryEntry: Encodable {
    var sha: String
    var time: String
    var author: String
    var subject: String
    var paths: [String]

    init(commit: Commit, paths: [String]) {
        sha = commit.sha
        time = ISO8601DateFormatter().string(from: commit.committerTime)
        author = commit.authorName
        subject = commit.subject
        self.paths = paths
    }

    static func json(_ entries: [HistoryEntry]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func table(_ entries: [HistoryEntry], watching: Bool) -> String {
        if entries.isEmpty { return "no commits" }
        return entries.map { entry in
            let time = entry.time.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
            var line = "\(entry.sha.prefix(7))  \(time.prefix(16))  \(entry.subject)"
            if watching { line += "  [" + (entry.paths.isEmpty ? "-" : entry.paths.joined(separator: ", ")) + "]" }
            return line
        }.joined(separator: "\n")
    }
}
