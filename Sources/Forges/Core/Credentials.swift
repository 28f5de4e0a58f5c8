import Foundation

/// A secret value (token, password, private key) that never prints itself.
///
/// `description`, `debugDescription` and `dump` show `<redacted>`, so a secret that slips into a
/// log line, an error or a debug dump leaks nothing.
public struct SecretValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret text; read only where it goes on the wire.
    let revealed: String

    /// Wraps a secret value.
    public init(_ value: String) { self.revealed = value }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror with no children, so `dump` shows nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    /// Whether the secret is empty.
    public var isEmpty: Bool { revealed.isEmpty }
}

/// How a client proves who it is. Each forge puts it in its own header (see `docs/forges.md`).
public enum ForgeCredential: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A token: GitHub PAT (Bearer), GitLab `PRIVATE-TOKEN`, Gitea `Authorization: token`,
    /// Bitbucket Cloud `user:app-password` (Basic) or access token (Bearer), Bitbucket DC HTTP
    /// access token (Bearer), Azure DevOps PAT (Basic password).
    case token(SecretValue)
    /// A user name and password (Basic authentication).
    case basic(username: String, password: SecretValue)
    /// A GitHub App installation (GitHub only).
    case gitHubApp(GitHubAppCredential)

    /// The kind of credential, never its value.
    public var description: String {
        switch self {
        case .token: "token(<redacted>)"
        case .basic(let user, _): "basic(\(user):<redacted>)"
        case .gitHubApp(let app): "gitHubApp(\(app))"
        }
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror with no children, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }

    /// The secret values, so transports can scrub them from any text they pass on.
    var secrets: [String] {
        switch self {
        case .token(let s): [s.revealed] + s.revealed.split(separator: ":").map(String.init)
        case .basic(_, let p): [p.revealed]
        case .gitHubApp(let app): [app.privateKeyPEM.revealed]
        }
    }
}

/// A GitHub App: its id, private key, and the installation to act as.
public struct GitHubAppCredential: Sendable, CustomStringConvertible {
    /// The App id (`githubAppID`).
    public var appID: String
    /// The installation id (`githubAppInstallationID`); found from `installationOwner` when nil.
    public var installationID: String?
    /// The account the App is installed on (`githubAppInstallationOwner`).
    public var installationOwner: String?
    /// The App's PEM private key (`githubAppPrivateKey`).
    public var privateKeyPEM: SecretValue
    /// The API base for Enterprise (`githubAppBaseURL`); the repository's API base when nil.
    public var baseURL: String?

    /// An App credential.
    public init(
        appID: String, installationID: String? = nil, installationOwner: String? = nil,
        privateKeyPEM: SecretValue, baseURL: String? = nil
    ) {
        self.appID = appID
        self.installationID = installationID
        self.installationOwner = installationOwner
        self.privateKeyPEM = privateKeyPEM
        self.baseURL = baseURL
    }

    /// App id and installation, never the key.
    public var description: String { "app \(appID), installation \(installationID ?? installationOwner ?? "by repository owner")" }
}

extension String {
    /// Base64 of `user:password`, for Basic authentication.
    static func basicAuthorization(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
