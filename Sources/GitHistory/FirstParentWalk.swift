import Clibgit2
import Foundation

/// One commit of a first-parent walk, with the watched paths it touched.
public struct WalkedCommit: Sendable {
    /// The commit id.
    public var id: ObjectID
    /// Its first parent (nil for a root commit).
    public var firstParent: ObjectID?
    /// Committer time, seconds since 1970.
    public var committerTime: Int64
    /// Indices into the walk's path list of the paths this commit touched compared with its
    /// first parent (for a root commit: the paths that exist in it).
    public var touched: [Int]
    /// Author, subject and parents, when the walk was asked for details.
    public var details: Commit?
}

/// Which commits of a walk get their author, subject and parents read (`WalkedCommit.details`).
public enum WalkDetails: Sendable {
    /// None: the walk reads commits only from the commit-graph when it can (the fastest).
    case none
    /// Only commits that touched a watched path (with no watched paths, none).
    case touching
    /// Every visited commit.
    case all
}

/// Where a first-parent walk stops.
public struct WalkLimits: Sendable {
    /// Stop before this commit (it is not visited).
    public var stopAt: ObjectID?
    /// Stop at the first commit older than this (it is not visited).
    public var since: Date?
    /// Visit at most this many commits.
    public var maxCount: Int?

    /// Limits for a walk; all optional.
    public init(stopAt: ObjectID? = nil, since: Date? = nil, maxCount: Int? = nil) {
        self.stopAt = stopAt
        self.since = since
        self.maxCount = maxCount
    }
}

extension Repository {
    /// Walks the first-parent chain from `start`, newest first, and for each commit reports which
    /// of `paths` (normalised with `RepoPath`) it touched.
    ///
    /// A path is touched when the tree-entry id along it differs between the commit and its first
    /// parent. All paths are decided in one pass: the walk descends only into subtrees whose ids
    /// differ and only along the watched prefixes, and the parent's trees are kept for the next
    /// step, where they are the commit's own. `body` returns false to stop early.
    public func walkFirstParent(
        from start: ObjectID, paths: [String] = [], limits: WalkLimits = WalkLimits(), details: WalkDetails = .none,
        _ body: (WalkedCommit) throws -> Bool
    ) throws {
        var normalised: [String] = []
        for path in paths {
            guard let n = RepoPath.normalise(path) else {
                throw GitError(
                    kind: .other, operation: "watch path", object: path,
                    message: "path leaves the repository", hint: "give a path inside the repository")
            }
            normalised.append(n)
        }
        let trie = PathTrie(normalisedPaths: normalised)
        try lockedUntyped {
            var trees = TreeCache(repository: pointer)
            defer { trees.freeAll() }
            let graph = commitGraph()
            let reader = details == .none ? nil : try CommitReader(repository: self)
            defer { reader?.close() }
            let sinceSeconds = limits.since.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
            var visited = 0

            var current = try facts(of: start, graph: graph)
            while true {
                if current.id == limits.stopAt { return }
                if let sinceSeconds, current.time < sinceSeconds { return }
                if let maxCount = limits.maxCount, visited >= maxCount { return }
                visited += 1

                var parent: CommitFacts?
                if let position = current.parentPosition, let graph {
                    parent = CommitFacts(graph: graph, position: position)
                } else if let id = current.parent {
                    parent = try facts(of: id, graph: graph)
                }
                var touched: [Int] = []
                if trie.count > 0 {
                    let mine = TreeEntry(id: current.tree, isTree: true, mode: 0o040000)
                    let theirs = parent.map { TreeEntry(id: $0.tree, isTree: true, mode: 0o040000) }
                    try trees.compare(trie.root, mine, theirs, into: &touched, commit: current.id)
                    if touched.count > 1 { touched.sort() }
                }
                trees.endStep()
                var detail: Commit?
                if details == .all || (details == .touching && !touched.isEmpty) {
                    detail = try reader?.commit(current.id)
                }
                let walked = WalkedCommit(
                    id: current.id, firstParent: current.parent, committerTime: current.time,
                    touched: touched, details: detail)
                guard try body(walked), let next = parent else { return }
                current = next
            }
        }
    }

    /// The commit-graph of this repository, opened on first use. Call with the lock held.
    func commitGraph() -> CommitGraph? {
        if let loaded = graphState { return loaded.graph }
        let gitDirectory = String(cString: git_repository_path(pointer))
        let graph = CommitGraph.open(objectsDirectory: gitDirectory + "objects")
        graphState = GraphState(graph: graph)
        return graph
    }

    /// Tree, first parent and time of a commit: from the commit-graph when it has the commit,
    /// otherwise from the commit object. Call with the lock held.
    func facts(of id: ObjectID, graph: CommitGraph?) throws(GitError) -> CommitFacts {
        if let graph, let position = graph.position(of: id) {
            return CommitFacts(graph: graph, position: position)
        }
        let commit = try lookupCommitPointer(id)
        defer { git_commit_free(commit) }
        let parent = git_commit_parentcount(commit) > 0 ? git_commit_parent_id(commit, 0).map(ObjectID.init) : nil
        return CommitFacts(
            id: id, tree: ObjectID(git_commit_tree_id(commit)), time: Int64(git_commit_time(commit)),
            parent: parent, parentPosition: nil)
    }

    /// Looks up a commit by id with the lock held; the caller frees it.
    func lookupCommitPointer(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.gitOID
        var commit: OpaquePointer?
        let code = git_commit_lookup(&commit, pointer, &oid)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError(kind: .notFound, operation: "read commit", object: id.hex, message: "no such commit in \(path)")
        }
        try check(code, "read commit", id.hex)
        return commit!
    }
}

/// What a walk needs of one commit.
struct CommitFacts {
    var id: ObjectID
    var tree: ObjectID
    var time: Int64
    var parent: ObjectID?
    /// The first parent's commit-graph position, when this commit came from the graph.
    var parentPosition: Int?
    /// This commit's commit-graph position, when it came from the graph.
    var position: Int?

    init(id: ObjectID, tree: ObjectID, time: Int64, parent: ObjectID?, parentPosition: Int?, position: Int? = nil) {
        self.id = id
        self.tree = tree
        self.time = time
        self.parent = parent
        self.parentPosition = parentPosition
        self.position = position
    }

    init(graph: CommitGraph, position: Int) {
        let entry = graph.entry(at: position)
        self.init(
            id: graph.id(at: position), tree: entry.tree, time: entry.time,
            parent: entry.firstParent.map { graph.id(at: $0) }, parentPosition: entry.firstParent, position: position)
    }
}

/// Trees loaded during a walk. The trees loaded for a commit's parent are kept one step, because
/// at the next step that parent is the commit and the same trees are compared again.
struct TreeCache {
    let repository: OpaquePointer
    private var previous: [ObjectID: OpaquePointer] = [:]
    private var current: [ObjectID: OpaquePointer] = [:]

    init(repository: OpaquePointer) { self.repository = repository }

    mutating func tree(_ id: ObjectID, commit: ObjectID) throws(GitError) -> OpaquePointer {
        if let tree = current[id] { return tree }
        if let tree = previous.removeValue(forKey: id) {
            current[id] = tree
            return tree
        }
        var oid = id.gitOID
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, repository, &oid), "read tree \(id.hex) of commit", commit.hex)
        current[id] = tree!
        return tree!
    }

    /// Ends a step: trees not used in it are released.
    mutating func endStep() {
        for tree in previous.values { git_tree_free(tree) }
        previous = current
        current = [:]
    }

    mutating func freeAll() {
        for tree in previous.values { git_tree_free(tree) }
        for tree in current.values { git_tree_free(tree) }
        previous = [:]
        current = [:]
    }

    /// Compares the entries `mine` and `theirs` at this node's path (nil = absent) and records
    /// every watched path at or under the node whose entry differs.
    mutating func compare(
        _ node: PathTrie.Node, _ mine: TreeEntry?, _ theirs: TreeEntry?,
        into touched: inout [Int], commit: ObjectID
    ) throws(GitError) {
        if mine == theirs { return }
        touched.append(contentsOf: node.terminals)
        if node.children.isEmpty { return }
        // A blob where the watched path continues deeper has nothing below it.
        let myTree = try mine.flatMap { e throws(GitError) in e.isTree ? try tree(e.id, commit: commit) : nil }
        let theirTree = try theirs.flatMap { e throws(GitError) in e.isTree ? try tree(e.id, commit: commit) : nil }
        if myTree == nil, theirTree == nil { return }
        for child in node.children {
            try compare(
                child.node, myTree.flatMap { entry($0, child.cName) }, theirTree.flatMap { entry($0, child.cName) },
                into: &touched, commit: commit)
        }
    }

    private func entry(_ tree: OpaquePointer, _ name: [CChar]) -> TreeEntry? {
        guard let entry = git_tree_entry_byname(tree, name), let oid = git_tree_entry_id(entry) else { return nil }
        return TreeEntry(
            id: ObjectID(oid), isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE,
            mode: git_tree_entry_filemode(entry).rawValue)
    }
}

/// The id, kind and mode of one tree entry. The mode counts because git does: a file made
/// executable (same content, same blob id) is a change to that path for `git rev-list -- path`.
struct TreeEntry: Equatable {
    var id: ObjectID
    var isTree: Bool
    var mode: UInt32
}
