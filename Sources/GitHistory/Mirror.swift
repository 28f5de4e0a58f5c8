import Clibgit2
import Foundation
import Logging
import RepositoryAddress

/// What one fetch of a mirror did.
public struct FetchResult: Sendable, Equatable {
    /// Whether the mirror was created by this call (first clone).
    public var cloned: Bool
    /// Objects downloaded from the remote (0 when the remote had nothing new).
    public var receivedObjects: Int
    /// Bytes downloaded from the remote.
    public var receivedBytes: Int
}

/// Bare mirrors of remote repositories in a cache directory, one per normalised URL, cloned on
/// first use and fetched incrementally afterwards.
public enum Mirror {
    /// The refspecs a mirror fetches: every branch and tag, pruned.
    public static let defaultRefspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// The directory in `cacheDirectory` that holds the mirror of `url`.
    public static func directory(for url: String, in cacheDirectory: String) -> String {
        let key = RepositoryAddress.key(url)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs and platforms
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let slug = key.split(separator: "/").suffix(2).joined(separator: "-")
            .map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let name = String(slug.prefix(60)) + "-" + String(hash, radix: 16)
        return (cacheDirectory as NSString).appendingPathComponent(name + ".git")
    }

    /// A logger that drops everything, for callers that hand none in.
    public static let silentLogger = Logger(label: "fluxstamp.git", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Temporaries of an interrupted clone or fetch older than this are removed when a mirror is
    /// opened: long enough that no fetch still running in another process is writing them.
    public static let staleTemporaryAge: TimeInterval = 3_600

    /// Opens the mirror of `url` in `cacheDirectory`, cloning it (bare) if absent, and fetches it.
    /// `extraRefspecs` adds refs beyond branches and tags (e.g. `+refs/pull/1/head:refs/pull/1/head`).
    /// Logs the clone or fetch (URL without credentials, objects received, seconds) at info and
    /// libgit2's refusals and errors at debug. Blocks: from async code use `syncAsync`.
    public static func sync(
        url: String, cacheDirectory: String, credentials: GitCredentials = .none,
        extraRefspecs: [String] = [], logger: Logger = silentLogger
    ) throws(GitError) -> (Repository, FetchResult) {
        Libgit2.initialized
        let started = ContinuousClock.now
        let path = directory(for: url, in: cacheDirectory)
        let exists = FileManager.default.fileExists(atPath: path)
        let shownURL = redacted(url)
        let repository: Repository
        if exists {
            repository = try Repository.open(at: path)
            let removed = removeStaleTemporaries(in: path)
            if !removed.isEmpty {
                logger.info(
                    "removed temporaries an interrupted fetch left",
                    metadata: [
                        "url": "\(shownURL)", "files": "\(removed.count)",
                    ])
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
            } catch {
                throw GitError(
                    kind: .other, operation: "create cache directory", object: cacheDirectory,
                    message: error.localizedDescription, hint: "give a writable --cache-dir")
            }
            var repo: OpaquePointer?
            try check(git_repository_init(&repo, path, 1), "create mirror", path)
            repository = Repository(pointer: repo!, path: path)
        }
        do {
            let received = try repository.fetch(
                url: url, refspecs: defaultRefspecs + extraRefspecs, credentials: credentials,
                logger: logger)
            if received.objects > 0 { try repository.writeCommitGraph() }
            let milliseconds = (ContinuousClock.now - started) / .milliseconds(1)
            logger.info(
                exists ? "fetched mirror" : "cloned mirror",
                metadata: [
                    "url": "\(shownURL)", "objects": "\(received.objects)", "bytes": "\(received.bytes)",
                    "seconds": "\(milliseconds.rounded() / 1_000)",
                ])
            return (repository, FetchResult(cloned: !exists, receivedObjects: received.objects, receivedBytes: received.bytes))
        } catch {
            logger.debug("mirror fetch failed", metadata: ["url": "\(shownURL)", "error": "\(error)"])
            if !exists { try? FileManager.default.removeItem(atPath: path) }  // leave no half-made mirror
            throw error
        }
    }

    /// `sync` on GitHistory's git threads: the clone or fetch blocks one of those, not a
    /// cooperative thread, so many repositories can be fetched from a task group.
    public static func syncAsync(
        url: String, cacheDirectory: String, credentials: GitCredentials = .none,
        extraRefspecs: [String] = [], logger: Logger = silentLogger
    )
        async throws(GitError) -> (Repository, FetchResult)
    {
        try await GitQueues.run(on: GitQueues.shared) { () throws(GitError) -> (Repository, FetchResult) in
            try sync(
                url: url, cacheDirectory: cacheDirectory, credentials: credentials, extraRefspecs: extraRefspecs,
                logger: logger)
        }
    }

    /// Removes the pack temporaries (`pack_git2_*` from libgit2, `tmp_pack_*` and `tmp_idx_*`
    /// from git) that a process killed during a clone or fetch leaves in `objects/pack` of the
    /// bare repository at `gitDirectory` forever, once older than `age`. Returns their names.
    @discardableResult
    public static func removeStaleTemporaries(
        in gitDirectory: String, olderThan age: TimeInterval = staleTemporaryAge,
        now: Date = Date()
    ) -> [String] {
        let pack = (gitDirectory as NSString).appendingPathComponent("objects/pack")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: pack) else { return [] }
        var removed: [String] = []
        for name in names.sorted()
        where name.hasPrefix("pack_git2_") || name.hasPrefix("tmp_pack_") || name.hasPrefix("tmp_idx_") {
            let file = (pack as NSString).appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > age
            else { continue }
            if (try? FileManager.default.removeItem(atPath: file)) != nil { removed.append(name) }
        }
        return removed
    }

    /// `url` without a user name or password, for logs.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }
}

extension Repository {
    /// Fetches `refspecs` from `url` into this repository (remote `origin`, created or updated),
    /// pruning refs the remote deleted, and points HEAD at the remote's default branch.
    func fetch(
        url: String, refspecs: [String], credentials: GitCredentials,
        logger: Logger
    ) throws(GitError) -> (objects: Int, bytes: Int) {
        try locked { () throws(GitError) -> (objects: Int, bytes: Int) in
            var remote: OpaquePointer?
            if git_remote_lookup(&remote, pointer, "origin") == 0 {
                if let current = git_remote_url(remote), String(cString: current) != url {
                    git_remote_free(remote)
                    try check(git_remote_set_url(pointer, "origin", url), "set remote url", Mirror.redacted(url))
                    try check(git_remote_lookup(&remote, pointer, "origin"), "open remote", Mirror.redacted(url))
                }
            } else {
                try check(
                    git_remote_create_with_fetchspec(&remote, pointer, "origin", url, refspecs[0]), "create remote",
                    Mirror.redacted(url))
                for spec in refspecs.dropFirst() {
                    try check(git_remote_add_fetch(pointer, "origin", spec), "add refspec", spec)
                }
                git_remote_free(remote)
                try check(git_remote_lookup(&remote, pointer, "origin"), "open remote", Mirror.redacted(url))
            }
            defer { git_remote_free(remote) }

            let session = FetchSession(credentials: credentials, url: url, logger: logger)
            let payload = Unmanaged.passRetained(session)
            defer { payload.release() }
            var options = git_fetch_options()
            try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "prepare fetch", Mirror.redacted(url))
            options.prune = GIT_FETCH_PRUNE
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE  // tags come through the refspec
            options.callbacks.payload = payload.toOpaque()
            options.callbacks.credentials = fetchCredentials
            options.callbacks.certificate_check = fetchCertificateCheck

            var headers = session.headers.map { strdup($0) }
            defer { headers.forEach { free($0) } }
            let code: Int32 = headers.withUnsafeMutableBufferPointer { buffer in
                options.custom_headers = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                var specs = refspecs.map { strdup($0) }
                defer { specs.forEach { free($0) } }
                return specs.withUnsafeMutableBufferPointer { specBuffer in
                    var array = git_strarray(strings: specBuffer.baseAddress, count: specBuffer.count)
                    return git_remote_fetch(remote, &array, &options, "fluxstamp: fetch")
                }
            }
            if code < 0 {
                var error = GitError.libgit2(code, operation: "fetch", object: Mirror.redacted(url))
                logger.debug(
                    "libgit2 fetch error",
                    metadata: [
                        "url": "\(Mirror.redacted(url))", "code": "\(code)", "message": "\(error.message)",
                        "credentialRequests": "\(session.attempts)",
                    ])
                if let reason = session.failure { error.message = reason; error.kind = .authentication }
                if error.kind == .authentication, error.hint == nil {
                    error.hint = "check the credentials for this repository (\(credentials))"
                }
                throw error
            }
            let stats = git_remote_stats(remote)
            // Point HEAD at the remote's default branch so `HEAD` means what it means upstream.
            var branch = git_buf()
            if git_remote_default_branch(&branch, remote) == 0, let name = branch.ptr {
                _ = git_repository_set_head(pointer, name)
            }
            git_buf_dispose(&branch)
            return (Int(stats?.pointee.received_objects ?? 0), Int(stats?.pointee.received_bytes ?? 0))
        }
    }
}

/// State shared with libgit2's C callbacks during one fetch.
final class FetchSession {
    let credentials: GitCredentials
    let url: String
    let logger: Logger
    var attempts = 0
    var failure: String?

    init(credentials: GitCredentials, url: String, logger: Logger) {
        self.credentials = credentials
        self.url = url
        self.logger = logger
    }

    var headers: [String] {
        if case .bearerToken(let token) = credentials { return ["Authorization: Bearer \(token)"] }
        return []
    }
}

private let fetchCredentials: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
    guard let payload, let out else { return GIT_PASSTHROUGH.rawValue }
    let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
    session.attempts += 1
    if session.attempts > 1 {
        // libgit2 asks again when the server refused what we gave: stop instead of looping.
        session.logger.debug(
            "remote asked for credentials again; not retrying",
            metadata: [
                "url": "\(Mirror.redacted(session.url))", "attempt": "\(session.attempts)",
            ])
        session.failure = "the remote rejected the credentials"
        return GIT_EAUTH.rawValue
    }
    switch session.credentials {
    case .userPassword(let username, let password) where allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0:
        return git_credential_userpass_plaintext_new(out, username, password)
    case .sshKey(let username, let keyPath, let passphrase, _) where allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0:
        return git_credential_ssh_key_new(out, username, nil, keyPath, passphrase)
    case .sshKey(let username, _, _, _) where allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0:
        return git_credential_username_new(out, username)
    default:
        let from = usernameFromURL.map { String(cString: $0) }
        session.failure = "the remote asked for credentials and none that fit were given" + (from.map { " (user \($0))" } ?? "")
        return GIT_EAUTH.rawValue
    }
}

private let fetchCertificateCheck: git_transport_certificate_check_cb = { cert, valid, host, payload in
    guard let cert, let payload else { return GIT_PASSTHROUGH.rawValue }
    let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
    guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
    guard case .sshKey(_, _, _, let knownHostsText) = session.credentials, let knownHostsText else {
        session.failure = "no known_hosts was given to check the SSH host key"
        return GIT_ECERTIFICATE.rawValue
    }
    let hostkey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
    guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
        session.failure = "the SSH server's raw host key is not available to check"
        return GIT_ECERTIFICATE.rawValue
    }
    let key = Array(UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
    let hostName = host.map { String(cString: $0) } ?? ""
    let port = URLComponents(string: session.url)?.port ?? 22
    if KnownHosts(knownHostsText).accepts(host: hostName, port: port, key: key) { return 0 }
    session.failure = "the SSH host key of \(hostName) is not in known_hosts"
    return GIT_ECERTIFICATE.rawValue
}
