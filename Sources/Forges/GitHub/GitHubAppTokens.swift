import Crypto
import Foundation
import _CryptoExtras

/// Installation tokens for a GitHub App: signs an RS256 JWT with the App's key, finds the
/// installation (by id, or by the owner's account), exchanges the JWT for a one-hour token and
/// keeps it until a minute before it expires.
actor GitHubAppTokens {
    private let app: GitHubAppCredential
    private let key: _RSA.Signing.PrivateKey
    private let repository: ForgeRepository
    private let options: ForgeOptions
    private let counter: RequestCounter
    private var transport: ForgeTransport!
    private var cached: (token: String, expiresAt: Date)?
    private var installationID: String?

    init(app: GitHubAppCredential, repository: ForgeRepository, options: ForgeOptions, counter: RequestCounter) throws(ForgeError) {
        self.counter = counter
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: app.privateKeyPEM.revealed)
        } catch {
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "the GitHub App private key is not a PEM RSA key; check the Provider secret's `githubAppPrivateKey` key")
        }
        self.app = app
        self.repository = repository
        self.options = options
        self.installationID = app.installationID
    }

    /// A valid installation token, fetched when none is cached or the cached one is about to expire.
    func token() async throws -> String {
        if let cached, cached.expiresAt.timeIntervalSince(options.clock.now) > 60 { return cached.token }
        let transport = self.transportForApp()
        let base = (app.baseURL ?? repository.apiBaseURL).trimmingSuffix("/")
        let id = try await installation(base: base, transport: transport)
        struct Token: Decodable { var token: String; var expires_at: Date }
        let response = try await transport.send(.POST, "\(base)/app/installations/\(id)/access_tokens", purpose: .authentication)
        guard response.status == 201 || response.status == 200 else { throw appFailure(response, transport) }
        let answer = try ForgeJSON.decode(Token.self, response, from: transport)
        cached = (answer.token, answer.expires_at)
        return answer.token
    }

    private func installation(base: String, transport: ForgeTransport) async throws -> String {
        if let installationID { return installationID }
        struct Installation: Decodable { var id: Int }
        let owner = (app.installationOwner ?? repository.path[0]).pathSegmentEncoded
        var response = try await transport.send(.GET, "\(base)/orgs/\(owner)/installation", purpose: .authentication)
        if response.status == 404 {
            response = try await transport.send(.GET, "\(base)/users/\(owner)/installation", purpose: .authentication)
        }
        guard response.status == 200 else { throw appFailure(response, transport) }
        let id = String(try ForgeJSON.decode(Installation.self, response, from: transport).id)
        installationID = id
        return id
    }

    private func appFailure(_ response: ForgeResponse, _ transport: ForgeTransport) -> ForgeError {
        var error = transport.failure(response)
        switch response.status {
        case 401:
            error.message =
                "401 Unauthorized: the GitHub App JWT was rejected; check the Provider secret's `githubAppID` and "
                + "`githubAppPrivateKey` keys"
        case 404:
            error.message =
                "404 Not Found: the GitHub App is not installed for \(app.installationOwner ?? repository.path[0]) (or the "
                + "installation id is wrong); check `githubAppInstallationID`/`githubAppInstallationOwner`"
        default: break
        }
        return error
    }

    private func transportForApp() -> ForgeTransport {
        if let transport { return transport }
        let jwt: @Sendable () async throws -> [(String, String)] = { [self] in [("Authorization", "Bearer \(try await self.signedJWT())")] }
        let made = ForgeTransport(repository: repository, options: options, credential: .gitHubApp(app), counter: counter, authorize: jwt)
        transport = made
        return made
    }

    /// An RS256 JWT: issued a minute in the past (clock drift), valid nine minutes, issuer = App id.
    func signedJWT() throws -> String {
        let now = Int(options.clock.now.timeIntervalSince1970)
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let payload = #"{"exp":\#(now + 540),"iat":\#(now - 60),"iss":"\#(app.appID)"}"#
        let signingInput = Data(header.utf8).base64URLEncoded + "." + Data(payload.utf8).base64URLEncoded
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + signature.rawRepresentation.base64URLEncoded
    }
}

extension Data {
    /// Base64url without padding (JWT).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
