import Clibgit2
import Foundation

/// Reads commits as raw object buffers and parses only the headers fluxstamp shows.
///
/// `git_commit_lookup` parses every header into allocated signatures and keeps the message; for
/// a listing of 100,000 commits that was most of the time. Reading the object from the object
/// database and scanning its bytes once is what `git log` does, and costs one inflate.
struct CommitReader {
    private let odb: OpaquePointer
    private let path: String

    /// Opens the object database of `repository`. Call on the repository's queue.
    init(repository: Repository) throws(GitError) {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repository.pointer), "open object database", repository.path)
        self.odb = odb!
        path = repository.path
    }

    /// Releases the object database handle (the repository keeps its own).
    func close() { git_odb_free(odb) }

    /// The commit `id`: parents, author, times and subject, from its raw object.
    func commit(_ id: ObjectID) throws(GitError) -> Commit {
        var oid = id.gitOID
        var object: OpaquePointer?
        let code = git_odb_read(&object, odb, &oid)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError(kind: .notFound, operation: "read commit", object: id.hex, message: "no such commit in \(path)")
        }
        try check(code, "read commit", id.hex)
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else {
            throw GitError(
                kind: .other, operation: "read commit", object: id.hex, message: "the object is not a commit",
                hint: "give a commit sha, not a tree, blob or tag")
        }
        let buffer = UnsafeRawBufferPointer(start: data, count: git_odb_object_size(object))
        return RawCommit.parse(buffer.bindMemory(to: UInt8.self), id: id)
    }
}

/// The parser of raw commit objects (`tree`, `parent`…, `author`, `committer`, other headers,
/// a blank line, the message), as git writes them.
enum RawCommit {
    /// Parses `bytes`; fields that are missing or malformed come out empty or zero, as `git log`
    /// shows them, rather than failing a whole listing.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, id: ObjectID) -> Commit {
        var parents: [ObjectID] = []
        var authorName = "", authorEmail = ""
        var authorTime: Int64 = 0, committerTime: Int64 = 0
        var index = 0
        let end = bytes.count
        // Headers: one per line until the first empty line; continuation lines start with a space.
        while index < end {
            var lineEnd = index
            while lineEnd < end, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd == index { index += 1; break }
            let line = UnsafeBufferPointer(rebasing: bytes[index..<lineEnd])
            if starts(line, with: "parent "), line.count >= 47,
                let parent = ObjectID(hexBytes: UnsafeBufferPointer(rebasing: line[7..<47]))
            {
                parents.append(parent)
            } else if starts(line, with: "author ") {
                let signature = Signature(UnsafeBufferPointer(rebasing: line[7...]))
                authorName = signature.name
                authorEmail = signature.email
                authorTime = signature.time
            } else if starts(line, with: "committer ") {
                committerTime = Signature(UnsafeBufferPointer(rebasing: line[10...])).time
            }
            index = lineEnd + 1
        }
        let subject = index < end ? Self.subject(UnsafeBufferPointer(rebasing: bytes[index...])) : ""
        return Commit(
            id: id, parents: parents, authorName: authorName, authorEmail: authorEmail,
            authorTime: Date(timeIntervalSince1970: TimeInterval(authorTime)),
            committerTime: Date(timeIntervalSince1970: TimeInterval(committerTime)), subject: subject)
    }

    /// git's `%s`: blank lines skipped, then the first paragraph's lines, each without trailing
    /// whitespace, joined by one space.
    static func subject(_ message: UnsafeBufferPointer<UInt8>) -> String {
        // Most subjects are one line followed by a blank line or the end: take it as it is.
        var lineEnd = 0
        while lineEnd < message.count, message[lineEnd] != 0x0A { lineEnd += 1 }
        var trimmedEnd = lineEnd
        while trimmedEnd > 0, isSpace(message[trimmedEnd - 1]) { trimmedEnd -= 1 }
        if trimmedEnd > 0 {  // a first line that is not blank (leading spaces stay, as in git)
            var next = lineEnd + 1
            while next < message.count, message[next] != 0x0A, isSpace(message[next]) { next += 1 }
            if next >= message.count || message[next] == 0x0A {
                return String(decoding: UnsafeBufferPointer(rebasing: message[0..<trimmedEnd]), as: UTF8.self)
            }
        }
        var out: [UInt8] = []
        var index = 0
        var started = false
        while index < message.count {
            var lineEnd = index
            while lineEnd < message.count, message[lineEnd] != 0x0A { lineEnd += 1 }
            var trimmedEnd = lineEnd
            while trimmedEnd > index, isSpace(message[trimmedEnd - 1]) { trimmedEnd -= 1 }
            var firstNonSpace = index
            while firstNonSpace < trimmedEnd, isSpace(message[firstNonSpace]) { firstNonSpace += 1 }
            let blank = firstNonSpace == trimmedEnd
            if blank {
                if started { break }
            } else {
                if started { out.append(0x20) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: message[index..<trimmedEnd]))
                started = true
            }
            index = lineEnd + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C }

    private static func starts(_ line: UnsafeBufferPointer<UInt8>, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        return memcmp(line.baseAddress!, prefix.utf8Start, count) == 0
    }

    /// `Name <email> 1700000000 +0100`.
    struct Signature {
        var name = "", email = "", time: Int64 = 0

        init(_ text: UnsafeBufferPointer<UInt8>) {
            guard let open = text.firstIndex(of: 0x3C) else {
                name = String(decoding: text, as: UTF8.self)
                return
            }
            var nameEnd = open
            while nameEnd > 0, text[nameEnd - 1] == 0x20 { nameEnd -= 1 }
            name = String(decoding: UnsafeBufferPointer(rebasing: text[0..<nameEnd]), as: UTF8.self)
            guard let close = text[open...].firstIndex(of: 0x3E) else { return }
            email = String(decoding: UnsafeBufferPointer(rebasing: text[(open + 1)..<close]), as: UTF8.self)
            var index = close + 1
            while index < text.count, text[index] == 0x20 { index += 1 }
            var seconds: Int64 = 0
            while index < text.count, (0x30...0x39).contains(text[index]) {
                seconds = seconds &* 10 &+ Int64(text[index] - 0x30)
                index += 1
            }
            time = seconds
        }
    }
}

extension ObjectID {
    /// Parses 40 hex digits from raw bytes; nil if any is not hex.
    init?(hexBytes: UnsafeBufferPointer<UInt8>) {
        guard hexBytes.count == 40 else { return nil }
        var raw = (UInt64(0), UInt64(0), UInt32(0))
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            for i in 0..<20 {
                guard let high = Self.nibble(hexBytes[2 * i]), let low = Self.nibble(hexBytes[2 * i + 1]) else { return false }
                out[i] = high << 4 | low
            }
            return true
        }
        guard ok else { return nil }
        a = raw.0
        b = raw.1
        c = raw.2
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
