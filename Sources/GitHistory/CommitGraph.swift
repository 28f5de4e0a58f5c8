import Clibgit2
import Foundation

/// A read-only view of git's commit-graph file (`objects/info/commit-graph`), the index `git gc`
/// writes so that walks read a commit's tree, parents and time without inflating the commit.
///
/// libgit2 1.5 can write this file but exposes no lookup, so fluxstamp reads the documented
/// format (gitformat-commit-graph: header `CGPH` v1, chunks OIDF, OIDL, CDAT) itself. A missing,
/// split (`commit-graphs/` chain), sha256 or malformed graph is simply not used; commits newer
/// than the graph are read through libgit2.
final class CommitGraph: @unchecked Sendable {
    private let base: UnsafeRawPointer
    private let length: Int
    let count: Int
    private let fanout: Int, oids: Int, data: Int
    /// The EDGE chunk (parents beyond the second of octopus merges), when the graph has one.
    private let edges: (start: Int, end: Int)?

    static let noParent: UInt32 = 0x7000_0000

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    private init(base: UnsafeRawPointer, length: Int, count: Int, fanout: Int, oids: Int, data: Int, edges: (Int, Int)?) {
        self.base = base
        self.length = length
        self.count = count
        self.fanout = fanout
        self.oids = oids
        self.data = data
        self.edges = edges
    }

    /// Maps and checks `<objectsDirectory>/info/commit-graph`; nil when absent or unusable.
    static func open(objectsDirectory: String) -> CommitGraph? {
        let path = objectsDirectory + "/info/commit-graph"
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 8 + 12 else { return nil }
        let length = Int(info.st_size)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        let base = UnsafeRawPointer(mapped)
        func fail() -> CommitGraph? { munmap(mapped, length); return nil }
        // Header: "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count 0.
        guard base.load(as: UInt32.self) == UInt32(bigEndian: 0x4347_5048),
            base.load(fromByteOffset: 4, as: UInt8.self) == 1,
            base.load(fromByteOffset: 5, as: UInt8.self) == 1,
            base.load(fromByteOffset: 7, as: UInt8.self) == 0
        else { return fail() }
        let chunks = Int(base.load(fromByteOffset: 6, as: UInt8.self))
        guard 8 + (chunks + 1) * 12 <= length else { return fail() }
        var offsets: [UInt32: (Int, Int)] = [:]
        for i in 0..<chunks {
            let entry = 8 + i * 12
            let id = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: entry, as: UInt32.self))
            // Offsets come from the file: a damaged one must not trap, only disable the graph.
            guard let start = Int(exactly: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: entry + 4, as: UInt64.self))),
                let end = Int(exactly: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: entry + 16, as: UInt64.self))),
                start <= end, end <= length
            else { return fail() }
            offsets[id] = (start, end)
        }
        guard let oidf = offsets[0x4F49_4446], let oidl = offsets[0x4F49_444C], let cdat = offsets[0x4344_4154],
            oidf.1 - oidf.0 == 256 * 4
        else { return fail() }
        let count = Int(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: oidf.0 + 255 * 4, as: UInt32.self)))
        guard oidl.1 - oidl.0 == count * 20, cdat.1 - cdat.0 == count * 36 else { return fail() }
        return CommitGraph(
            base: base, length: length, count: count, fanout: oidf.0, oids: oidl.0, data: cdat.0,
            edges: offsets[0x4544_4745])
    }

    /// The commit id at a graph position.
    func id(at position: Int) -> ObjectID { ObjectID(rawBytes: base + oids + position * 20) }

    /// The position of a commit in the graph, by binary search within its first byte's bucket.
    func position(of id: ObjectID) -> Int? {
        var oid = id.gitOID
        return withUnsafeBytes(of: &oid.id) { key -> Int? in
            let first = Int(key[0])
            var low = first == 0 ? 0 : Int(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: fanout + (first - 1) * 4, as: UInt32.self)))
            var high = Int(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: fanout + first * 4, as: UInt32.self)))
            guard high <= count else { return nil }
            while low < high {
                let mid = (low + high) / 2
                let order = memcmp(base + oids + mid * 20, key.baseAddress!, 20)
                if order == 0 { return mid }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return nil
        }
    }

    /// Tree, first parent (position) and committer time of the commit at `position`.
    func entry(at position: Int) -> (tree: ObjectID, firstParent: Int?, time: Int64) {
        let record = base + data + position * 36
        let parent = UInt32(bigEndian: record.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        let high = UInt32(bigEndian: record.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        let low = UInt32(bigEndian: record.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        let time = Int64(high & 0x3) << 32 | Int64(low)
        let firstParent = parent == Self.noParent || Int(parent) >= count ? nil : Int(parent)
        return (ObjectID(rawBytes: record), firstParent, time)
    }
}

extension CommitGraph {
    /// The largest topological level the format stores; a commit at it may be deeper, so
    /// comparisons with it prove nothing.
    static let maxGeneration: UInt32 = 0x3FFF_FFFF

    /// The topological level (generation number v1) of the commit at `position`: 1 for a root,
    /// one more than its highest parent otherwise; 0 when the graph was written without them.
    func generation(at position: Int) -> UInt32 {
        UInt32(bigEndian: (base + data + position * 36).loadUnaligned(fromByteOffset: 28, as: UInt32.self)) >> 2
    }

    /// Whether generation numbers of this graph can decide ancestry (written, and not capped).
    func usableGeneration(at position: Int) -> Bool {
        let generation = generation(at: position)
        return generation != 0 && generation < Self.maxGeneration
    }

    /// Appends the graph positions of every parent of the commit at `position` to `parents`.
    /// Returns false when the graph cannot say (an octopus merge without an EDGE chunk).
    func appendParents(at position: Int, to parents: inout [Int]) -> Bool {
        let record = base + data + position * 36
        let first = UInt32(bigEndian: record.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        let second = UInt32(bigEndian: record.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        if first != Self.noParent, Int(first) < count { parents.append(Int(first)) }
        if second == Self.noParent { return true }
        if second & 0x8000_0000 == 0 {
            if Int(second) < count { parents.append(Int(second)) }
            return true
        }
        guard let edges else { return false }
        var offset = edges.start + Int(second & 0x7FFF_FFFF) * 4
        while offset + 4 <= edges.end {
            let value = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let parent = Int(value & 0x7FFF_FFFF)
            if parent < count { parents.append(parent) }
            if value & 0x8000_0000 != 0 { return true }
            offset += 4
        }
        return false
    }
}

extension ObjectID {
    init(rawBytes: UnsafeRawPointer) {
        a = rawBytes.loadUnaligned(as: UInt64.self)
        b = rawBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c = rawBytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
    }
}

extension Repository {
    /// Writes (replaces) `objects/info/commit-graph` for every commit reachable from a ref, so
    /// later walks of this repository read commits from the graph. Mirrors call it after a fetch
    /// that brought new objects.
    public func writeCommitGraph() throws(GitError) {
        try locked { () throws(GitError) in
            let objectsInfo = String(cString: git_repository_path(pointer)) + "objects/info"
            var writer: OpaquePointer?
            try check(git_commit_graph_writer_new(&writer, objectsInfo), "write commit-graph", path)
            defer { git_commit_graph_writer_free(writer) }
            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, pointer), "write commit-graph", path)
            defer { git_revwalk_free(walk) }
            try check(git_revwalk_push_glob(walk, "refs/*"), "write commit-graph: list refs", path)
            try check(git_commit_graph_writer_add_revwalk(writer, walk), "write commit-graph", path)
            var options = git_commit_graph_writer_options()
            try check(
                git_commit_graph_writer_options_init(&options, UInt32(GIT_COMMIT_GRAPH_WRITER_OPTIONS_VERSION)),
                "write commit-graph", path)
            try check(git_commit_graph_writer_commit(writer, &options), "write commit-graph", path)
            graphState = nil  // read the new file on the next walk
        }
    }
}
