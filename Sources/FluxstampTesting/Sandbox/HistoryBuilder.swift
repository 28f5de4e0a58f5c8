import Foundation

/// Builds a repository's history as one `git fast-import` stream: fast (one process for the
/// whole history), and deterministic (fixed authors, times and contents give fixed shas).
struct HistoryBuilder {
    /// One commit of the stream, as the sandbox remembers it.
    struct Entry {
        var mark: Int
        var message: String
        /// Whether it is on `main`'s first-parent chain.
        var firstParent: Bool
        /// Top-level areas (e.g. `apps/staging`) the commit changed, merged-in changes included.
        var areas: Set<String>
        var time: Int
    }

    private(set) var stream = Data()
    private(set) var entries: [Entry] = []
    private(set) var time: Int
    private static let authors = [
        ("Alice Martin", "alice"), ("Bilal Chen", "bilal"), ("Carmen Ortiz", "carmen"),
        ("Dmitri Ivanov", "dmitri"), ("Flux Bot", "flux-bot"),
    ]

    init(startTime: Int) { time = startTime }

    private mutating func data(_ text: String) {
        let raw = Data(text.utf8)
        stream.append(Data("data \(raw.count)\n".utf8))
        stream.append(raw)
        stream.append(Data("\n".utf8))
    }

    /// Appends a commit on `ref` with parents `parents` (marks) and the given file contents.
    @discardableResult
    mutating func commit(
        ref: String = "refs/heads/main", _ message: String, files: [(path: String, content: String)],
        parents: [Int], areas: Set<String>
    ) -> Int {
        let mark = entries.count + 1
        let (name, login) = Self.authors[mark % Self.authors.count]
        stream.append(Data("commit \(ref)\nmark :\(mark)\n".utf8))
        stream.append(Data("author \(name) <\(login)@example.com> \(time) +0000\n".utf8))
        stream.append(Data("committer \(name) <\(login)@example.com> \(time) +0000\n".utf8))
        data(message + "\n")
        for (i, parent) in parents.enumerated() {
            stream.append(Data("\(i == 0 ? "from" : "merge") :\(parent)\n".utf8))
        }
        for file in files {
            stream.append(Data("M 100644 inline \(file.path)\n".utf8))
            data(file.content)
        }
        entries.append(Entry(mark: mark, message: message, firstParent: ref == "refs/heads/main", areas: areas, time: time))
        time += SandboxGit.commitSpacing
        return mark
    }

    /// Imports the stream into a new repository at `directory` (bare or with a checked-out work
    /// tree) and returns the sha of every mark.
    func importInto(_ directory: URL, bare: Bool) throws -> [Int: String] {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try SandboxGit.run(["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []), in: directory)
        let gitDir = bare ? directory : directory.appendingPathComponent(".git")
        let streamFile = gitDir.appendingPathComponent("sandbox-fast-import")
        let marksFile = gitDir.appendingPathComponent("sandbox-marks")
        var full = stream
        full.append(Data("reset refs/heads/side\nfrom 0000000000000000000000000000000000000000\ndone\n".utf8))
        try full.write(to: streamFile)
        let result = try shell(
            "git fast-import --quiet --done --export-marks='\(marksFile.path)' < '\(streamFile.path)'",
            in: directory, environment: SandboxGit.environment(time: time))
        guard result.status == 0 else { throw FixtureError(message: "git fast-import in \(directory.path) failed: \(result.stderr)") }
        _ = try? SandboxGit.run(["update-ref", "-d", "refs/heads/side"], in: directory)
        if !bare {
            try SandboxGit.run(["config", "user.name", "Sandbox Author"], in: directory)
            try SandboxGit.run(["config", "user.email", "author@example.com"], in: directory)
            try SandboxGit.run(["config", "commit.gpgsign", "false"], in: directory)
            try SandboxGit.run(["reset", "-q", "--hard", "refs/heads/main"], in: directory)
        }
        var marks: [Int: String] = [:]
        for line in try String(contentsOf: marksFile, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let mark = Int(parts[0].dropFirst()) { marks[mark] = String(parts[1]) }
        }
        try? fm.removeItem(at: streamFile)
        try? fm.removeItem(at: marksFile)
        return marks
    }
}
