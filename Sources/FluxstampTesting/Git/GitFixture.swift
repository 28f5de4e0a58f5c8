import Foundation

/// A throwaway git repository built with git's own command line, for tests and the demo.
///
/// git is the reference: fixtures are made by it, and tests compare fluxstamp's answers with
/// `git rev-list`. Commit times are fixed and increasing so results are reproducible.
public final class GitFixture: @unchecked Sendable {
    /// The repository's work tree.
    public let directory: URL
    /// The next commit's time (seconds since 1970); each commit advances it by a minute.
    public private(set) var clock: Int = 1_700_000_000

    /// Creates an empty repository (branch `main`) in a new temporary directory.
    public init(name: String = "repo", bare: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fluxstamp-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Fixture Author")
        try git("config", "user.email", "author@example.com")
        try git("config", "commit.gpgsign", "false")
    }

    /// The path of the work tree.
    public var path: String { directory.path }

    /// Runs git in the repository and returns its trimmed standard output; throws on failure.
    @discardableResult
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    /// Runs git with an argument array.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        let date = "@\(clock) +0000"
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        let result = try runCommand(
            URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments,
            environment: env, currentDirectory: directory)
        guard result.status == 0 else {
            throw FixtureError(message: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes files (path → content; nil deletes) and commits them; returns the new sha.
    @discardableResult
    public func commit(_ message: String, _ files: [String: String?] = [:]) throws -> String {
        try Self.write(files, in: directory)
        try git("add", "-A")
        clock += 60
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Writes files into a work tree (path → content; nil deletes). Deletions go first, so a file
    /// can become a directory in one commit.
    public static func write(_ files: [String: String?], in directory: URL) throws {
        for (path, content) in files.sorted(by: { ($0.value != nil ? 1 : 0, $0.key) < ($1.value != nil ? 1 : 0, $1.key) }) {
            let url = directory.appendingPathComponent(path)
            if let content {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    /// Moves a file or directory with `git mv` and commits; returns the new sha.
    @discardableResult
    public func rename(_ from: String, to: String, message: String) throws -> String {
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent(to).deletingLastPathComponent(),
            withIntermediateDirectories: true)
        try git("mv", from, to)
        clock += 60
        try git("commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Merges `branch` into the current branch with a merge commit; returns its sha.
    @discardableResult
    public func merge(_ branch: String, message: String) throws -> String {
        clock += 60
        try git("merge", "-q", "--no-ff", "-m", message, branch)
        return try git("rev-parse", "HEAD")
    }

    /// Shas git lists for `rev-list ARGS…`, newest first.
    public func revList(_ arguments: String...) throws -> [String] {
        try git(["rev-list"] + arguments).split(separator: "\n").map(String.init)
    }

    /// Removes the repository from disk.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { remove() }
}

/// A fixture could not be built.
public struct FixtureError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(message: String) { self.message = message }
    public var description: String { message }
}
