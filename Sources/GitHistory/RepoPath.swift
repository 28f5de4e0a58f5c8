/// Repository paths as Kustomizations name them (`spec.path`), normalised for comparison.
public enum RepoPath {
    /// Normalises a path: `./apps/x/` → `apps/x`, `.`, `./` or empty → `""` (the whole repository).
    /// Returns nil for a path that leaves the repository (`..`).
    public static func normalise(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": return nil
            default: parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}

/// The set of watched paths as a trie of path components, so one tree comparison per level
/// answers every path that shares that prefix.
final class PathTrie {
    final class Node {
        /// Child components, each with its NUL-terminated name as libgit2 wants it.
        var children: [(cName: [CChar], node: Node)] = []
        /// Indices (into the caller's path list) of the paths that end at this node.
        var terminals: [Int] = []
    }

    let root = Node()
    let count: Int

    init(normalisedPaths: [String]) {
        count = normalisedPaths.count
        for (index, path) in normalisedPaths.enumerated() {
            var node = root
            for component in path.split(separator: "/") {
                let name = component.utf8.map { CChar(bitPattern: $0) } + [0]
                if let existing = node.children.first(where: { $0.cName == name }) {
                    node = existing.node
                } else {
                    let child = Node()
                    node.children.append((name, child))
                    node = child
                }
            }
            node.terminals.append(index)
        }
    }
}
