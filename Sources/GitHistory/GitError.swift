import Clibgit2

/// A failure of the git history engine: which operation, on which object, and libgit2's message.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it was, for callers that react differently (unknown commit vs I/O).
    public enum Kind: Sendable, Equatable {
        /// The object, reference or repository does not exist.
        case notFound
        /// An abbreviated sha matches more than one object.
        case ambiguous
        /// The path is not a git repository.
        case notARepository
        /// Authentication with the remote failed or was refused.
        case authentication
        /// The repository uses a feature this libgit2 cannot read (e.g. sha256 object format).
        case unsupported
        /// Anything else libgit2 reported (corrupt objects, I/O, network).
        case other
    }

    /// The kind of failure.
    public var kind: Kind
    /// The operation that failed, e.g. `open repository`, `read commit`.
    public var operation: String
    /// The object it failed on: a path, URL, sha or ref.
    public var object: String
    /// The underlying message (libgit2's, when it came from libgit2).
    public var message: String
    /// What the user can do about it, when there is something useful to say.
    public var hint: String?

    /// Creates an error.
    public init(kind: Kind, operation: String, object: String, message: String, hint: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.object = object
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(operation) \(object): \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }
}

extension GitError {
    /// Builds an error from a libgit2 return code and its last error message.
    static func libgit2(_ code: Int32, operation: String, object: String) -> GitError {
        let message: String
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text).trimmingTrailingNewlines()
        } else {
            message = "libgit2 error \(code)"
        }
        let kind: Kind
        switch code {
        case GIT_ENOTFOUND.rawValue: kind = .notFound
        case GIT_EAMBIGUOUS.rawValue: kind = .ambiguous
        case GIT_EAUTH.rawValue: kind = .authentication
        case GIT_ECERTIFICATE.rawValue: kind = .authentication
        default: kind = message.contains("sha256") || message.contains("objectformat") ? .unsupported : .other
        }
        return GitError(kind: kind, operation: operation, object: object, message: message)
    }
}

/// Throws a `GitError` when a libgit2 call returned a negative code.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String, _ object: @autoclosure () -> String) throws(GitError) {
    if code < 0 { throw GitError.libgit2(code, operation: operation(), object: object()) }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
