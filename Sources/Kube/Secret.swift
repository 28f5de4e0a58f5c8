import Foundation

/// A core `Secret`; values are decoded from base64 on access and never printed.
public struct Secret: KubeObject, Equatable, CustomStringConvertible {
    /// `Secret`.
    public static let kind = "Secret"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Secret type (`Opaque`, …).
    public var type: String?
    /// Base64-encoded values.
    public var data: [String: String]?

    /// The decoded bytes of `key`, or nil when absent or not base64.
    public func value(_ key: String) -> [UInt8]? {
        data?[key].flatMap { Data(base64Encoded: $0) }.map(Array.init)
    }

    /// The decoded value of `key` as UTF-8 text, trimmed of a trailing newline.
    public func string(_ key: String) -> String? {
        value(key).map { String(decoding: $0, as: UTF8.self) }.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    /// Names the secret and its keys, never the values.
    public var description: String { "Secret \(metadata.qualifiedName) keys=\((data ?? [:]).keys.sorted())" }
}
