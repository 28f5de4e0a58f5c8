import Foundation

/// The facts fluxstamp uses about one commit.
public struct Commit: Sendable, Hashable {
    /// The commit id.
    public var id: ObjectID
    /// Parent ids, first parent first.
    public var parents: [ObjectID]
    /// Author name.
    public var authorName: String
    /// Author email.
    public var authorEmail: String
    /// When the author wrote it.
    public var authorTime: Date
    /// When it was committed (what first-parent walks and horizons use).
    public var committerTime: Date
    /// The first line of the message.
    public var subject: String

    /// The 40-character sha.
    public var sha: String { id.hex }
    /// The first parent, if any.
    public var firstParent: ObjectID? { parents.first }
}
