import ArgumentParser
import Foundation
import GitHistory

/// Where repositories are mirrored and how fluxstamp authenticates to git remotes.
struct GitOptions: ParsableArguments {
    @Option(
        name: .long, help: "Directory for bare mirrors of remote repositories (default: $XDG_CACHE_HOME/fluxstamp or ~/.cache/fluxstamp).")
    var cacheDir: String?

    @Option(name: .long, help: "Username for HTTPS git remotes (with --git-password-file).")
    var gitUsername: String = "git"

    @Option(name: .long, help: "File holding the HTTPS password or token for git remotes (or set FLUXSTAMP_GIT_PASSWORD).")
    var gitPasswordFile: String?

    @Option(name: .long, help: "File holding a bearer token for HTTPS git remotes.")
    var gitBearerTokenFile: String?

    @Option(name: .long, help: "SSH private key file for ssh:// remotes (with --known-hosts).")
    var sshKey: String?

    @Option(name: .long, help: "known_hosts file the SSH server's host key must appear in.")
    var knownHosts: String?

    /// Opens a local repository, or mirrors a URL into the cache and fetches it.
    func open(_ location: String) throws -> Repository {
        let isURL =
            location.contains("://")
            || (location.contains("@") && location.contains(":") && !FileManager.default.fileExists(atPath: location))
        guard isURL else { return try Repository.open(at: location) }
        let cache = cacheDir ?? Self.defaultCacheDirectory
        let (repository, result) = try Mirror.sync(url: location, cacheDirectory: cache, credentials: try credentials())
        printStatusLine(
            "\(result.cloned ? "cloned" : "fetched") \(location) into \(repository.path) (\(result.receivedObjects) objects received)")
        return repository
    }

    static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/fluxstamp" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/fluxstamp"
    }

    func credentials() throws -> GitCredentials {
        let env = ProcessInfo.processInfo.environment
        if let file = gitBearerTokenFile { return .bearerToken(try readSecret(file, flag: "--git-bearer-token-file")) }
        if let file = gitPasswordFile {
            return .userPassword(username: gitUsername, password: try readSecret(file, flag: "--git-password-file"))
        }
        if let password = env["FLUXSTAMP_GIT_PASSWORD"], !password.isEmpty {
            return .userPassword(username: gitUsername, password: password)
        }
        if let key = sshKey {
            let hosts = try knownHosts.map { try readSecret($0, flag: "--known-hosts") }
            return .sshKey(username: "git", privateKeyPath: key, passphrase: nil, knownHosts: hosts)
        }
        return .none
    }

    private func readSecret(_ path: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(flag) \(path): cannot read the file; check that it exists and is readable")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A progress line on stderr (not an error: errors go through `CommandError`).
func printStatusLine(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
