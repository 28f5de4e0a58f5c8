import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Write pacers shared by every client that writes to the same forge host as the same identity.
///
/// Forge write limits count per user, App or token, not per repository (GitHub's secondary-limit
/// guidance: 80 content-creating requests a minute, 500 an hour, per user or App), so the clients
/// for 20 repositories on one token must draw from one budget. A pacer is keyed by forge kind,
/// API host (and port), a SHA-256 fingerprint of the credential, and the pacing itself (clients
/// configured with different pacings do not share). The key never holds the credential: only the
/// digest, which cannot be reversed. `.unlimited` pacing never touches the registry.
public final class WritePacerRegistry: Sendable {
    /// The registry every `ForgeOptions` uses unless given another: one budget per identity for the
    /// whole process.
    public static let shared = WritePacerRegistry()

    private let pacers = NIOLockedValueBox([Key: WritePacer]())

    /// An empty registry (tests use their own, so parallel tests never share a budget).
    public init() {}

    struct Key: Hashable, Sendable {
        var kind: ForgeKind
        var host: String
        var fingerprint: String
        var pacing: WritePacing
    }

    /// How many pacers exist (one per identity and pacing).
    public var count: Int { pacers.withLockedValue { $0.count } }

    /// The pacer for this repository's host and credential, made on first use with `clock`.
    /// With `directory`, the pacer keeps its hourly window in a file there named after the
    /// identity's digest (never the credential), shared with other runs.
    func pacer(
        for repository: ForgeRepository, credential: ForgeCredential?, pacing: WritePacing, clock: any ForgeClock,
        directory: String? = nil
    ) -> WritePacer {
        if case .unlimited = pacing { return WritePacer(.unlimited, clock: clock) }
        let key = Key(
            kind: repository.kind, host: Self.host(of: repository), fingerprint: Self.fingerprint(credential, repository), pacing: pacing)
        let file = directory.map { directory in
            let identity = SHA256.hash(data: Data("\(key.kind.rawValue)\u{0}\(key.host)\u{0}\(key.fingerprint)".utf8))
            let name = "write-pacing-" + identity.prefix(12).map { String(format: "%02x", $0) }.joined() + ".json"
            return PacingFile(path: (directory as NSString).appendingPathComponent(name))
        }
        return pacers.withLockedValue { pacers in
            if let existing = pacers[key] { return existing }
            let made = WritePacer(pacing, clock: clock, file: file)
            pacers[key] = made
            return made
        }
    }

    /// The API host and port (`api.github.com`, `ghe.example.com:8443`), lower-cased.
    static func host(of repository: ForgeRepository) -> String {
        guard let url = URLComponents(string: repository.apiBaseURL), let host = url.host else { return repository.host.lowercased() }
        return (url.port.map { "\(host):\($0)" } ?? host).lowercased()
    }

    /// Hex SHA-256 of what identifies the writer: the token, user and password, or the GitHub App
    /// and installation (found by the repository's owner when neither id nor owner is given).
    /// Never the credential itself.
    static func fingerprint(_ credential: ForgeCredential?, _ repository: ForgeRepository) -> String {
        let material: String
        switch credential {
        case .token(let token): material = "token\u{0}\(token.revealed)"
        case .basic(let user, let password): material = "basic\u{0}\(user)\u{0}\(password.revealed)"
        case .gitHubApp(let app):
            // Without an id or an owner, the installation is found by the repository's owner.
            let owner = app.installationOwner ?? (app.installationID == nil ? repository.path.first ?? "" : "")
            material = "app\u{0}\(app.appID)\u{0}\(app.installationID ?? "")\u{0}\(owner)\u{0}\(app.baseURL ?? "")"
        case nil: material = "anonymous"
        }
        return SHA256.hash(data: Data(material.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension WritePacerRegistry: CustomReflectable {
    /// Only how many pacers there are: the keys hold credential fingerprints, not for display.
    public var customMirror: Mirror { Mirror(self, children: ["pacers": count], displayStyle: .class) }
}
