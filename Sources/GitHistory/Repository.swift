import Clibgit2
import Foundation

/// libgit2 needs one global initialisation; a static let runs it once, thread-safely.
enum Libgit2 {
    /// libgit2's object cache is off. It budgets raw object sizes (256 MB by default) while the
    /// parsed objects cost several times that, so a 100,000-commit walk peaked at 440 MB with it
    /// and 130 MB without; walks keep the trees they reuse themselves (`TreeCache`) and were no
    /// slower without it (measured with scripts/bench).
    ///
    /// Strict hash verification is off too: libgit2 otherwise SHA-1-hashes (with collision
    /// detection) every object it reads, which git does only in fsck; reads stay checked by
    /// zlib's checksum and the pack index. Measured with scripts/bench: part of what made the
    /// path map slower than `git rev-list`.
    static let initialized: Void = {
        _ = git_libgit2_init()
        _ = fluxstamp_git_enable_caching(0)
        _ = fluxstamp_git_enable_strict_hash_verification(0)
    }()
}

/// Whether a repository's commit-graph was looked for, and what was found.
struct GraphState {
    var graph: CommitGraph?
}

/// Where blocking libgit2 work runs: Dispatch threads owned by GitHistory, never Swift's
/// cooperative pool, whose few threads a clone or a 100,000-commit walk would otherwise block.
enum GitQueues {
    /// The parent of every repository's serial queue, and where work without a repository yet
    /// (a mirror's first clone) runs.
    static let shared = DispatchQueue(label: "fluxstamp.git", qos: .utility, attributes: .concurrent)

    /// Runs `body` on `queue` and resumes the caller with its result.
    static func run<T: Sendable, E: Error>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws(E) -> T
    )
        async throws(E) -> T
    {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        }
        return try result.get()
    }
}

/// An open git repository (bare or not). The only reference type of the history engine.
///
/// libgit2 objects are not safe for concurrent use, so every operation on one repository runs on
/// the repository's own serial queue: the synchronous API waits for it (and runs inline when
/// already on it, so a walk's body may call back), the `async` API hands the work to it and
/// suspends, keeping the cooperative pool free. Use one `Repository` per task for parallel work.
public final class Repository: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Serialises every libgit2 call on `pointer`; its target is `GitQueues.shared`.
    let queue: DispatchQueue
    /// Marks `queue`, so that work already on it is not queued again (which would deadlock).
    private let queueKey = DispatchSpecificKey<Bool>()
    /// The path the repository was opened from.
    public let path: String
    /// The commit-graph, once looked for (only touched on `queue`).
    var graphState: GraphState?

    init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
        queue = DispatchQueue(label: "fluxstamp.git.repository", target: GitQueues.shared)
        queue.setSpecific(key: queueKey, value: true)
    }

    deinit { git_repository_free(pointer) }

    /// Opens the repository at `path` (a work tree, its `.git`, or a bare repository); it does not
    /// search parent directories, so a non-repository path is an error rather than a surprise.
    public static func open(at path: String) throws(GitError) -> Repository {
        Libgit2.initialized
        guard FileManager.default.fileExists(atPath: path) else {
            throw GitError(
                kind: .notARepository, operation: "open repository", object: path,
                message: "no such file or directory", hint: "check the --repo path")
        }
        var repo: OpaquePointer?
        let code = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError(
                kind: .notARepository, operation: "open repository", object: path,
                message: "not a git repository", hint: "point --repo at a clone or a bare mirror")
        }
        try check(code, "open repository", path)
        guard let repo else {
            throw GitError(kind: .other, operation: "open repository", object: path, message: "libgit2 returned no repository")
        }
        return Repository(pointer: repo, path: path)
    }

    /// Opens the repository at `path` on GitHistory's git threads, off the cooperative pool.
    public static func openAsync(at path: String) async throws(GitError) -> Repository {
        try await GitQueues.run(on: GitQueues.shared) { () throws(GitError) -> Repository in try open(at: path) }
    }

    /// Runs `body` with this repository on its serial queue (a Dispatch thread owned by
    /// GitHistory) and returns its result: the way to call the synchronous API from async code
    /// without blocking a cooperative thread.
    public func withRepository<T: Sendable, E: Error>(
        _ body: @escaping @Sendable (Repository) throws(E) -> T
    )
        async throws(E) -> T
    {
        try await GitQueues.run(on: queue) { () throws(E) -> T in try body(self) }
    }

    /// Runs `body` on the repository's queue and waits; inline when already on it.
    func locked<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
        if DispatchQueue.getSpecific(key: queueKey) == true { return try body() }
        let result: Result<T, GitError> = queue.sync { Result { () throws(GitError) -> T in try body() } }
        return try result.get()
    }

    /// `locked` for bodies that throw any error (walks whose callback may throw).
    func lockedUntyped<T>(_ body: () throws -> T) throws -> T {
        if DispatchQueue.getSpecific(key: queueKey) == true { return try body() }
        let result: Result<T, any Error> = queue.sync { Result { try body() } }
        return try result.get()
    }

    // MARK: - Resolving

    /// Resolves a full or abbreviated sha (at least 4 hex digits), a branch, tag or `refs/…` name,
    /// or `HEAD` to the commit it names.
    public func commit(_ spec: String) throws(GitError) -> Commit {
        try locked { () throws(GitError) -> Commit in
            let commit = try lookupCommit(spec)
            defer { git_commit_free(commit) }
            return makeCommit(commit)
        }
    }

    /// Resolves `spec` (sha, abbreviated sha, ref name) to a commit id.
    public func resolve(_ spec: String) throws(GitError) -> ObjectID {
        try locked { () throws(GitError) -> ObjectID in
            let commit = try lookupCommit(spec)
            defer { git_commit_free(commit) }
            return ObjectID(git_commit_id(commit))
        }
    }

    /// Whether the repository has a commit with this id.
    public func hasCommit(_ id: ObjectID) -> Bool {
        (try? locked { () throws(GitError) -> Bool in
            var oid = id.gitOID
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, pointer, &oid) == 0 else { return false }
            git_commit_free(commit)
            return true
        }) ?? false
    }

    /// Looks a commit up; the caller frees it. Must be called with the lock held.
    func lookupCommit(_ spec: String) throws(GitError) -> OpaquePointer {
        let bytes = Array(spec.utf8)
        var commit: OpaquePointer?
        if bytes.count >= 4, bytes.count <= 40, bytes.allSatisfy({ $0.isHexDigit }) {
            var oid = git_oid()
            var code = git_oid_fromstrn(&oid, spec, bytes.count)
            if code == 0 {
                code =
                    bytes.count == 40
                    ? git_commit_lookup(&commit, pointer, &oid)
                    : git_commit_lookup_prefix(&commit, pointer, &oid, bytes.count)
            }
            if code == 0, let commit { return commit }
            if code == GIT_EAMBIGUOUS.rawValue {
                throw GitError(
                    kind: .ambiguous, operation: "resolve commit", object: spec,
                    message: "abbreviated sha matches more than one object in \(path)",
                    hint: "give more hex digits")
            }
            if code != GIT_ENOTFOUND.rawValue, code < 0 {
                let error = GitError.libgit2(code, operation: "read commit", object: spec)
                if error.kind != .notFound { throw error }
            }
            // Not a known sha: a branch can be named like hex ("cafe"), so try it as a ref too.
        }
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, spec)
        if code == GIT_ENOTFOUND.rawValue || (code < 0 && bytes.allSatisfy({ $0.isHexDigit })) {
            throw GitError(
                kind: .notFound, operation: "resolve commit", object: spec,
                message: "no such commit or ref in \(path)",
                hint: "fetch the repository, or check that the revision belongs to it")
        }
        try check(code, "resolve revision", spec)
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "peel to commit", spec)
        guard let peeled else {
            throw GitError(kind: .other, operation: "peel to commit", object: spec, message: "libgit2 returned no object")
        }
        return peeled
    }

    func makeCommit(_ commit: OpaquePointer) -> Commit {
        let count = git_commit_parentcount(commit)
        var parents: [ObjectID] = []
        parents.reserveCapacity(Int(count))
        for i in 0..<count {
            if let p = git_commit_parent_id(commit, i) { parents.append(ObjectID(p)) }
        }
        let author = git_commit_author(commit)
        let name = author.flatMap { $0.pointee.name.map { String(cString: $0) } } ?? ""
        let email = author.flatMap { $0.pointee.email.map { String(cString: $0) } } ?? ""
        let authorTime = author.map { Date(timeIntervalSince1970: TimeInterval($0.pointee.when.time)) } ?? Date(timeIntervalSince1970: 0)
        let subject = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        return Commit(
            id: ObjectID(git_commit_id(commit)), parents: parents,
            authorName: name, authorEmail: email, authorTime: authorTime,
            committerTime: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit))),
            subject: subject)
    }

    // MARK: - Ancestry

    /// Whether commit `x` is contained in commit `y` (x is y or one of its ancestors).
    public func contains(_ x: ObjectID, in y: ObjectID) throws(GitError) -> Bool {
        if x == y { return true }
        return try locked { () throws(GitError) -> Bool in
            var descendant = y.gitOID, ancestor = x.gitOID
            let code = git_graph_descendant_of(pointer, &descendant, &ancestor)
            try check(code, "check ancestry", "\(x.short)..\(y.short)")
            return code == 1
        }
    }

    /// The commits a deployment of `y` carried when `x` was the previous deployment: those on
    /// `y`'s first-parent chain that are not contained in `x`, newest first (`y` included).
    /// With `x` nil, the whole first-parent chain of `y`.
    public func carried(after x: ObjectID?, upTo y: ObjectID) throws(GitError) -> [Commit] {
        try locked { () throws(GitError) -> [Commit] in
            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, pointer), "start walk", path)
            defer { git_revwalk_free(walk) }
            try check(git_revwalk_simplify_first_parent(walk), "start walk", path)
            var top = y.gitOID
            try check(git_revwalk_push(walk, &top), "walk from", y.hex)
            if var bottom = x?.gitOID {
                try check(git_revwalk_hide(walk, &bottom), "walk hiding", x!.hex)
            }
            var result: [Commit] = []
            var oid = git_oid()
            while true {
                let code = git_revwalk_next(&oid, walk)
                if code == GIT_ITEROVER.rawValue { break }
                try check(code, "walk first-parent chain", y.hex)
                var commit: OpaquePointer?
                try check(git_commit_lookup(&commit, pointer, &oid), "read commit", ObjectID(oid).hex)
                result.append(makeCommit(commit!))
                git_commit_free(commit)
            }
            return result
        }
    }

    /// The commits every branch and tag points at (annotated tags peeled), for reachability checks.
    public func refTips() throws(GitError) -> [ObjectID] {
        try locked { () throws(GitError) -> [ObjectID] in
            var iterator: OpaquePointer?
            try check(git_reference_iterator_new(&iterator, pointer), "list refs", path)
            defer { git_reference_iterator_free(iterator) }
            var tips: Set<ObjectID> = []
            var reference: OpaquePointer?
            while git_reference_next(&reference, iterator) == 0 {
                defer { git_reference_free(reference) }
                var object: OpaquePointer?
                if git_reference_peel(&object, reference, GIT_OBJECT_COMMIT) == 0, let object {
                    tips.insert(ObjectID(git_object_id(object)))
                    git_object_free(object)
                }
            }
            return tips.sorted()
        }
    }

    /// Which of `ids` are among `tips` or their ancestors, in one walk from all tips that stops as
    /// soon as every id is found (the per-commit `isReachable` walks once per commit: on a
    /// 100,000-commit repository with 1,000 observed commits, 54 s against under 1 s for this).
    public func reachable(_ ids: Set<ObjectID>, fromAny tips: [ObjectID]) throws(GitError) -> Set<ObjectID> {
        var missing = ids.subtracting(tips)
        var found = ids.intersection(tips)
        guard !missing.isEmpty, !tips.isEmpty else { return found }
        return try locked { () throws(GitError) -> Set<ObjectID> in
            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, pointer), "start walk", path)
            defer { git_revwalk_free(walk) }
            for tip in tips {
                var oid = tip.gitOID
                try check(git_revwalk_push(walk, &oid), "walk from", tip.hex)
            }
            var oid = git_oid()
            while !missing.isEmpty {
                let code = git_revwalk_next(&oid, walk)
                if code == GIT_ITEROVER.rawValue { break }
                try check(code, "walk history of", path)
                let id = ObjectID(oid)
                if missing.remove(id) != nil { found.insert(id) }
            }
            return found
        }
    }

    /// Whether commit `id` is one of `tips` or an ancestor of one: a commit that exists in the
    /// object store but no ref reaches any more (force-pushed away, kept by a cached mirror) is not.
    public func isReachable(_ id: ObjectID, fromAny tips: [ObjectID]) throws(GitError) -> Bool {
        if tips.contains(id) { return true }
        if tips.isEmpty { return false }
        return try locked { () throws(GitError) -> Bool in
            var commit = id.gitOID
            var descendants = tips.map(\.gitOID)
            let code = git_graph_reachable_from_any(pointer, &commit, &descendants, descendants.count)
            try check(code, "check reachability of", id.hex)
            return code == 1
        }
    }
}
