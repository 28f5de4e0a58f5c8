import Clibgit2
import Foundation

/// A range of first-parent history: what a deployment of `to` carried after `from` was the
/// previous deployment, limited to the commits that touched `path`.
public struct CarriedRange: Hashable, Sendable {
    /// The previous deployment; it and everything it contains are excluded.
    public var from: ObjectID
    /// The deployment; the range is its first-parent chain, without `to` itself.
    public var to: ObjectID
    /// A watched path as a Kustomization names it (`./apps/x` and `apps/x` are the same path);
    /// nil for every commit, whatever it touched.
    public var path: String?

    /// A range from `from` (excluded) up to `to` (excluded), optionally limited to `path`.
    public init(from: ObjectID, to: ObjectID, path: String? = nil) {
        self.from = from
        self.to = to
        self.path = path
    }
}

/// One commit of a carried range.
public struct CarriedCommit: Hashable, Sendable {
    /// The commit id.
    public var id: ObjectID
    /// Committer time, seconds since 1970.
    public var committerTime: Int64

    /// A commit of a range.
    public init(id: ObjectID, committerTime: Int64) {
        self.id = id
        self.committerTime = committerTime
    }
}

/// The answer to `Repository.carriedCommits(for:)`.
public struct CarriedCommits: Sendable {
    /// The commits of every range asked about, newest first.
    public var commits: [CarriedRange: [CarriedCommit]]
    /// How many walks of history answered them: one per distinct first-parent chain, plus one
    /// per range whose `from` the commit-graph could not place (see `carriedCommits(for:)`).
    public var walks: Int

    /// The commits of `range`, newest first (empty for a range that was not asked about).
    public subscript(range: CarriedRange) -> [CarriedCommit] { commits[range] ?? [] }
}

extension Repository {
    /// For each range, the commits of `git rev-list --first-parent <from>..<to> -- <path>`
    /// without `to` itself, newest first: what a deployment of `to` carried, strictly before
    /// `to`, that the previous deployment `from` did not contain and that touched `path`.
    ///
    /// All ranges are answered together. Ranges whose `to` lie on one first-parent chain share one
    /// walk down it, and every watched path is decided in that walk through one path trie; a walk
    /// stops when each of its ranges has reached a commit `from` contains (below which every
    /// commit is contained too). Whether `from` contains a commit is decided by the commit-graph's
    /// generation numbers, painting down from `from` only as deep as the walk has come; without a
    /// commit-graph entry for `from`, that range's bound comes from one libgit2 walk of its own.
    /// As with git, a `from` that is not an ancestor of `to` excludes only what it shares with it.
    ///
    /// Throws when a `from` or `to` is not a commit of this repository, or a path leaves it.
    public func carriedCommits(for ranges: [CarriedRange]) throws(GitError) -> CarriedCommits {
        try locked { () throws(GitError) -> CarriedCommits in
            var engine = try CarriedEngine(repository: self, ranges: ranges)
            defer { engine.close() }
            return try engine.run()
        }
    }

    /// `carriedCommits(for:)` on the repository's own thread, off the cooperative pool.
    public func carriedCommits(for ranges: [CarriedRange]) async throws(GitError) -> CarriedCommits {
        try await withRepository { repository throws(GitError) -> CarriedCommits in
            try repository.carriedCommits(for: ranges)
        }
    }
}

/// The state of one `carriedCommits(for:)` call. Runs on the repository's queue.
private struct CarriedEngine {
    /// A commit of a walked chain: its time, first parent and the watched paths it touched.
    struct Node {
        var time: Int64
        var parent: ObjectID?
        var touchedStart: Int32
        var touchedCount: Int32
    }

    /// A range being answered.
    struct Range {
        var key: CarriedRange
        var pathIndex: Int?
        var fromPosition: Int?
        /// The generation of `from`: a chain commit above it cannot be one of its ancestors.
        var fromGeneration: UInt32 = 0
        /// For a range the commit-graph cannot decide: the ids `git rev-list --first-parent`
        /// gives for `from..to` (computed when the range is opened).
        var carried: Set<ObjectID>?
        var result: [CarriedCommit] = []
    }

    let repository: Repository
    let graph: CommitGraph?
    let trie: PathTrie
    var trees: TreeCache
    var ranges: [Range] = []
    var rangesByTo: [ObjectID: [Int]] = [:]
    var nodes: [ObjectID: Node] = [:]
    var touchedStore: [Int32] = []
    var painters: [Int: AncestorPainter] = [:]
    var walks = 0

    init(repository: Repository, ranges keys: [CarriedRange]) throws(GitError) {
        self.repository = repository
        graph = repository.commitGraph()
        var pathIndices: [String: Int] = [:]
        var paths: [String] = []
        var seen = Set<CarriedRange>()
        for key in keys where seen.insert(key).inserted {
            var pathIndex: Int?
            if let path = key.path {
                guard let normalised = RepoPath.normalise(path) else {
                    throw GitError(
                        kind: .other, operation: "watch path", object: path,
                        message: "path leaves the repository", hint: "give a path inside the repository")
                }
                if let index = pathIndices[normalised] {
                    pathIndex = index
                } else {
                    pathIndex = paths.count
                    pathIndices[normalised] = paths.count
                    paths.append(normalised)
                }
            }
            rangesByTo[key.to, default: []].append(ranges.count)
            ranges.append(Range(key: key, pathIndex: pathIndex))
        }
        trie = PathTrie(normalisedPaths: paths)
        trees = TreeCache(repository: repository.pointer)
    }

    mutating func close() { trees.freeAll() }

    mutating func run() throws(GitError) -> CarriedCommits {
        // Every endpoint must exist, as for git; each `from` is placed in the commit-graph once.
        var starts: [(facts: CommitFacts, generation: UInt32)] = []
        for (to, _) in rangesByTo {
            let facts = try repository.facts(of: to, graph: graph)
            let generation = facts.position.flatMap { graph?.generation(at: $0) } ?? UInt32.max
            starts.append((facts, generation))
        }
        for index in ranges.indices {
            let facts = try repository.facts(of: ranges[index].key.from, graph: graph)
            if let graph, let position = facts.position, graph.usableGeneration(at: position) {
                ranges[index].fromPosition = position
                ranges[index].fromGeneration = graph.generation(at: position)
            }
        }
        // Newest first, so that a walk from a later deployment passes the earlier ones on its chain.
        starts.sort { ($0.generation, $0.facts.time) > ($1.generation, $1.facts.time) }
        var opened = Set<ObjectID>()
        for start in starts where !opened.contains(start.facts.id) {
            walks += 1
            try walk(from: start.facts, opened: &opened)
        }
        var answer: [CarriedRange: [CarriedCommit]] = [:]
        for range in ranges { answer[range.key] = range.result }
        return CarriedCommits(commits: answer, walks: walks)
    }

    /// Walks down the first-parent chain from `start` until every range opened on it is closed.
    mutating func walk(from start: CommitFacts, opened: inout Set<ObjectID>) throws(GitError) {
        var active: [Int] = []
        var id = start.id
        var known: CommitFacts? = start
        while true {
            if opened.insert(id).inserted, let more = rangesByTo[id] {
                for index in more where ranges[index].fromPosition == nil {
                    ranges[index].carried = try revList(ranges[index].key)
                }
                active += more
            }
            if active.isEmpty { return }
            var parentFacts: CommitFacts?
            let node: Node
            if let existing = nodes[id] {
                node = existing
            } else {
                var facts: CommitFacts
                if let known { facts = known } else { facts = try repository.facts(of: id, graph: graph) }
                if let position = facts.parentPosition, let graph {
                    parentFacts = CommitFacts(graph: graph, position: position)
                } else if let parent = facts.parent {
                    parentFacts = try repository.facts(of: parent, graph: graph)
                }
                node = try makeNode(facts, parent: parentFacts)
                nodes[id] = node
            }
            let position = graph?.position(of: id)
            let generation = position.flatMap { graph?.generation(at: $0) } ?? UInt32.max
            var stillActive: [Int] = []
            stillActive.reserveCapacity(active.count)
            for index in active {
                if try contains(index, id, position, generation) { continue }
                if id != ranges[index].key.to, touches(node, ranges[index].pathIndex) {
                    ranges[index].result.append(CarriedCommit(id: id, committerTime: node.time))
                }
                stillActive.append(index)
            }
            active = stillActive
            guard let parent = node.parent else { return }
            id = parent
            known = parentFacts
        }
    }

    /// Compares a commit's tree with its first parent's along every watched path.
    mutating func makeNode(_ facts: CommitFacts, parent: CommitFacts?) throws(GitError) -> Node {
        var touched: [Int] = []
        if trie.count > 0 {
            let mine = TreeEntry(id: facts.tree, isTree: true, mode: 0o040000)
            let theirs = parent.map { TreeEntry(id: $0.tree, isTree: true, mode: 0o040000) }
            try trees.compare(trie.root, mine, theirs, into: &touched, commit: facts.id)
            trees.endStep()
        }
        let start = Int32(touchedStore.count)
        touchedStore.append(contentsOf: touched.map(Int32.init))
        return Node(time: facts.time, parent: facts.parent, touchedStart: start, touchedCount: Int32(touched.count))
    }

    func touches(_ node: Node, _ pathIndex: Int?) -> Bool {
        guard let pathIndex else { return true }
        let start = Int(node.touchedStart)
        return touchedStore[start..<(start + Int(node.touchedCount))].contains(Int32(pathIndex))
    }

    /// Whether the range's `from` contains the chain commit `id` (at graph `position`).
    mutating func contains(
        _ index: Int, _ id: ObjectID, _ position: Int?,
        _ generation: UInt32
    ) throws(GitError) -> Bool {
        let range = ranges[index]
        if id == range.key.from { return true }
        if let carried = range.carried { return !carried.contains(id) }
        // A commit of a higher generation than `from` cannot be one of its ancestors.
        if range.fromPosition != nil, generation > range.fromGeneration { return false }
        // A commit-graph written from refs holds every ancestor of each commit it holds: a commit
        // missing from it cannot be an ancestor of `from`, which is in it.
        guard let graph, let from = range.fromPosition, let position else { return false }
        let painter = painters[from] ?? AncestorPainter(graph: graph, from: from)
        painters[from] = painter
        if let answer = painter.reaches(position) { return answer }
        // The graph could not list a parent (an octopus merge without its EDGE chunk): ask libgit2.
        let carried = try revList(range.key)
        ranges[index].carried = carried
        return !carried.contains(id)
    }

    /// The bound of a range the commit-graph cannot decide, from libgit2's own walk: the ids
    /// `git rev-list --first-parent from..to` lists.
    mutating func revList(_ key: CarriedRange) throws(GitError) -> Set<ObjectID> {
        walks += 1
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, repository.pointer), "start walk", repository.path)
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_simplify_first_parent(walk), "start walk", repository.path)
        var top = key.to.gitOID, bottom = key.from.gitOID
        try check(git_revwalk_push(walk, &top), "walk from", key.to.hex)
        try check(git_revwalk_hide(walk, &bottom), "walk hiding", key.from.hex)
        var ids = Set<ObjectID>()
        var oid = git_oid()
        while true {
            let code = git_revwalk_next(&oid, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "walk first-parent chain", key.to.hex)
            ids.insert(ObjectID(oid))
        }
        return ids
    }
}

/// The ancestors of one commit, found on demand in the commit-graph: asked about commits in any
/// order, it paints down from `from` only past the generation of the commit asked about, so a
/// walk that stops early never pays for the rest of history.
private final class AncestorPainter {
    let graph: CommitGraph
    var reached: Set<Int>
    /// Reached commits whose parents are not painted yet, highest generation first.
    var frontier: GenerationHeap

    init(graph: CommitGraph, from: Int) {
        self.graph = graph
        reached = [from]
        frontier = GenerationHeap()
        frontier.push(from, graph.generation(at: from))
    }

    /// Set when the graph could not list some commit's parents; answers are then unknown.
    var incomplete = false

    /// Whether the commit at `position` is `from` or one of its ancestors; nil when the graph
    /// cannot tell. Only commits of a higher generation can lead to it, so painting stops there.
    func reaches(_ position: Int) -> Bool? {
        let generation = graph.generation(at: position)
        var parents: [Int] = []
        while !incomplete, let top = frontier.peek, top.generation > generation {
            frontier.pop()
            parents.removeAll(keepingCapacity: true)
            if !graph.appendParents(at: top.position, to: &parents) { incomplete = true }
            for parent in parents where reached.insert(parent).inserted {
                frontier.push(parent, graph.generation(at: parent))
            }
        }
        if reached.contains(position) { return true }
        return incomplete ? nil : false
    }
}

/// A max-heap of commit-graph positions by generation.
private struct GenerationHeap {
    private var items: [(position: Int, generation: UInt32)] = []

    var peek: (position: Int, generation: UInt32)? { items.first }

    mutating func push(_ position: Int, _ generation: UInt32) {
        items.append((position, generation))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].generation < items[child].generation else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < items.count, items[left].generation > items[largest].generation { largest = left }
            if right < items.count, items[right].generation > items[largest].generation { largest = right }
            if largest == parent { return }
            items.swapAt(parent, largest)
            parent = largest
        }
    }
}
