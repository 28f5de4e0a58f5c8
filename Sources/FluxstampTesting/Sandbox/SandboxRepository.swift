import Foundation

/// A git repository the sandbox generated in its directory (`<dir>/fleet`, `<dir>/repos/…`).
///
/// Unlike `GitFixture` it lives where it was made and is kept on disk, so the `fluxstamp`
/// binary can open it with `--repo URL=PATH` and a later run finds it again. Tests add commits
/// with `commit(_:_:)`; commit times continue the generated history's fixed clock, so shas are
/// reproducible. Its methods run git's command line synchronously: call them off the
/// cooperative pool (see `Sandbox.offPool`) when an emulator in the same process must keep serving.
public final class SandboxRepository: Sendable {
    /// The repository's directory (a work tree, or the git directory of a bare repository).
    public let directory: URL
    /// The forge address the sandbox's GitRepository gives for it, e.g. `https://github.com/acme/fleet`.
    public let url: String
    /// Whether the repository has no work tree.
    public let isBare: Bool
    private let clock: LockedBox<Int>

    init(directory: URL, url: String, isBare: Bool, clock: Int) {
        self.directory = directory
        self.url = url
        self.isBare = isBare
        self.clock = LockedBox(clock)
    }

    /// The path of the repository.
    public var path: String { directory.path }

    /// The time (seconds since 1970) the next commit gets.
    public var nextCommitTime: Int { clock.get() }

    /// Runs git in the repository and returns its trimmed standard output; throws on failure.
    @discardableResult
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    /// Runs git with an argument array (author and committer dates are the repository's clock).
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        try SandboxGit.run(arguments, in: directory, time: clock.get())
    }

    /// The sha of `main`.
    public func head() throws -> String { try git("rev-parse", "refs/heads/main") }

    /// The first-parent shas of `main`, newest first.
    public func firstParentShas() throws -> [String] {
        try git("rev-list", "--first-parent", "refs/heads/main").split(separator: "\n").map(String.init)
    }

    /// Writes files (path → content; nil deletes) and commits them on `main`; returns the new sha.
    /// Only for repositories with a work tree (the fleet).
    @discardableResult
    public func commit(_ message: String, _ files: [String: String?] = [:]) throws -> String {
        guard !isBare else { throw FixtureError(message: "\(path) is bare; commit in a clone instead") }
        try GitFixture.write(files, in: directory)
        try git("add", "-A")
        clock.withValue { $0 += SandboxGit.commitSpacing }
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try head()
    }
}

/// git's command line, with fixed identities and dates so generated repositories are reproducible.
enum SandboxGit {
    /// Seconds between two generated commits.
    static let commitSpacing = 15 * 60

    static func environment(time: Int) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_DATE"] = "@\(time) +0000"
        env["GIT_COMMITTER_DATE"] = "@\(time) +0000"
        env["GIT_AUTHOR_NAME"] = env["GIT_AUTHOR_NAME"] ?? "Sandbox Author"
        env["GIT_AUTHOR_EMAIL"] = env["GIT_AUTHOR_EMAIL"] ?? "author@example.com"
        env["GIT_COMMITTER_NAME"] = "Sandbox Author"
        env["GIT_COMMITTER_EMAIL"] = "author@example.com"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        return env
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL, time: Int = 0) throws -> String {
        let result = try runCommand(
            URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments,
            environment: environment(time: time), currentDirectory: directory)
        guard result.status == 0 else {
            throw FixtureError(message: "git \(arguments.joined(separator: " ")) in \(directory.path) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
