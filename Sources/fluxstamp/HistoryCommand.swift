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
            var range: (from: ObjectID, to: ObjectID)?
            if between.count == 2 { range = (try resolve(between[0], in: repository), try resolve(between[1], in: repository)) }
            let carried = range
            let start = carried == nil ? try repository.resolve(ref) : nil
            let (paths, json, touching, limit) = (paths, json, touching, limit)
            let limits = WalkLimits(since: since.flatMap { Horizon.parse($0) }, maxCount: touching ? nil : limit)
            // The walk blocks in libgit2: it runs on the repository's own thread, streaming lines.
            try await repository.withRepository { repository in
                var output = HistoryOutput(json: json, paths: paths)
                if let carried {
                    for commit in try repository.carried(after: carried.from, upTo: carried.to) {
                        output.add(commit, committerTime: Int64(commit.committerTime.timeIntervalSince1970), touched: [])
                    }
                } else if let start {
                    var printed = 0
                    try repository.walkFirstParent(
                        from: start, paths: paths, limits: limits,
                        details: touching ? .touching : .all
                    ) { walked in
                        if touching, walked.touched.isEmpty { return true }
                        output.add(walked.details!, committerTime: walked.committerTime, touched: walked.touched)
                        printed += 1
                        return limit.map { printed < $0 } ?? true
                    }
                }
                output.finish()
            }
        } catch let error as GitError {
            throw CommandError.git(error.description, usage: !(error.kind == .notFound || error.kind == .ambiguous))
        } catch let error as NoCommit {
            throw CommandError.git(error.description, usage: true)
        }
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

/// `history` output, written as it is produced: one table line or one JSON object per commit.
///
/// JSON is encoded by hand so that a 100,000-commit listing neither builds an array of entries
/// nor runs an encoder per commit; the document is the one `JSONEncoder` wrote before (pretty,
/// sorted keys `author`, `paths`, `sha`, `subject`, `time`; slashes not escaped).
struct HistoryOutput {
    let json: Bool
    let paths: [String]
    private var buffer: [UInt8] = []
    private var count = 0

    init(json: Bool, paths: [String]) {
        self.json = json
        self.paths = paths
        buffer.reserveCapacity(1 << 16)
    }

    mutating func add(_ commit: Commit, committerTime: Int64, touched: [Int]) {
        if json {
            append(count == 0 ? "[\n  {\n" : ",\n  {\n")
            append("    \"author\" : ")
            appendJSONString(commit.authorName)
            append(",\n    \"paths\" : [")
            for (n, index) in touched.enumerated() {
                append(n == 0 ? "\n      " : ",\n      ")
                appendJSONString(paths[index])
            }
            append(touched.isEmpty ? "],\n    \"sha\" : \"" : "\n    ],\n    \"sha\" : \"")
            commit.id.appendHex(to: &buffer)
            append("\",\n    \"subject\" : ")
            appendJSONString(commit.subject)
            append(",\n    \"time\" : \"")
            GitTime.appendRFC3339(committerTime, to: &buffer)
            append("\"\n  }")
        } else {
            commit.id.appendHex(to: &buffer)
            buffer.removeLast(33)  // git's seven-digit short form
            append("  ")
            var time: [UInt8] = []
            GitTime.appendRFC3339(committerTime, to: &time)
            time[10] = 0x20  // "2026-11-22 05:24", minutes are enough to read a table by
            buffer.append(contentsOf: time[0..<16])
            append("  ")
            append(commit.subject)
            if !paths.isEmpty {
                append(touched.isEmpty ? "  [-]" : "  [" + touched.map { paths[$0] }.joined(separator: ", ") + "]")
            }
            append("\n")
        }
        count += 1
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func finish() {
        if json {
            append(count == 0 ? "[]\n" : "\n]\n")
        } else if count == 0 {
            append("no commits\n")
        }
        flush()
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, `/` kept.
    private mutating func appendJSONString(_ text: String) {
        buffer.append(0x22)
        var text = text
        // Most names and subjects need no escaping: copy those in one go.
        let plain = text.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            buffer.append(contentsOf: bytes)
            return true
        }
        if plain {
            buffer.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: buffer.append(contentsOf: [0x5C, 0x22])
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x08: buffer.append(contentsOf: [0x5C, 0x62])
            case 0x0C: buffer.append(contentsOf: [0x5C, 0x66])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: buffer.append(byte)
            }
        }
        buffer.append(0x22)
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
