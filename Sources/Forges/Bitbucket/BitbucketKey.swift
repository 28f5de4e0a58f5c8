import Crypto
import Foundation

/// How notification-controller names Bitbucket statuses, reproduced byte for byte.
public enum BitbucketKey {
    /// The status key: the lowercase hex SHA-1 of the context id (Bitbucket keys are at most 40
    /// characters; NC `sha1String`).
    public static func key(forContext context: String) -> String {
        Insecure.SHA1.hash(data: Data(context.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The display name NC posts: `kind/name` lower-cased, i.e. the context id without the provider
    /// segment (`kustomization/apps/0c9c2e41` → `kustomization/apps`).
    public static func name(forContext context: String) -> String {
        let parts = context.split(separator: "/", omittingEmptySubsequences: false)
        return (parts.count >= 3 ? parts.dropLast().joined(separator: "/") : context).lowercased()
    }

    /// Whether `text` is an absolute http(s) URL, as Bitbucket Cloud requires for `url`.
    static func isValidURL(_ text: String?) -> Bool {
        guard let text, let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "https" || scheme == "http") && url.host != nil
    }
}
