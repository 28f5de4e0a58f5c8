import Foundation
import Logging
import Synchronization

/// What an exec credential plugin returned (`ExecCredential.status`).
public struct ExecCredential: Sendable, Equatable {
    /// Bearer token, when the plugin returned one.
    public var token: String?
    /// PEM client certificate and key, when the plugin returned them.
    public var clientCertificate: ClientCertificate?
    /// When the credential stops being valid; nil means "until the server rejects it".
    public var expiration: Date?
}

/// Runs a kubeconfig `exec` plugin (client.authentication.k8s.io v1 / v1beta1) and caches its
/// credential until `expirationTimestamp`, the way client-go does.
public actor ExecCredentialPlugin {
    private let config: ExecPluginConfig
    private let server: String
    private let baseEnvironment: [String: String]
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: ExecCredential?
    /// How many times the plugin process was started (for tests and logs).
    public private(set) var runs = 0

    /// A plugin for `config`, run with `environment` plus the plugin's `env`.
    public init(
        config: ExecPluginConfig, server: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger = KubeClient.silentLogger
    ) {
        self.logger = logger
        self.config = config
        self.server = server
        self.baseEnvironment = environment
        self.now = now
    }

    /// The cached credential, or a fresh one when there is none or it has expired.
    public func credential() async throws -> ExecCredential {
        if let cached, cached.expiration.map({ $0 > now() }) ?? true { return cached }
        // The command and why it runs, never its output: the output is the credential.
        logger.info(
            "running exec credential plugin",
            metadata: [
                "command": "\(config.command)",
                "why": "\(cached == nil ? "no cached credential" : "cached credential expired")",
            ])
        let fresh = try await run()
        cached = fresh
        return fresh
    }

    /// Forgets the cached credential (after the server answered 401).
    public func invalidate() {
        if cached != nil { logger.info("dropping the exec plugin's credential", metadata: ["command": "\(config.command)"]) }
        cached = nil
    }

    private func run() async throws -> ExecCredential {
        runs += 1
        var env = baseEnvironment
        for e in config.env ?? [] { env[e.name] = e.value }
        var spec: [String: Any] = ["interactive": false]
        if config.provideClusterInfo == true { spec["cluster"] = ["server": server] }
        let info: [String: Any] = ["apiVersion": config.apiVersion, "kind": "ExecCredential", "spec": spec]
        env["KUBERNETES_EXEC_INFO"] = String(
            decoding: try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        let command = config.command
        let resolved = command.contains("/") ? command : Self.lookUp(command, path: env["PATH"] ?? "/usr/bin:/bin")
        guard let resolved else {
            throw KubeError.execPlugin(
                command: command,
                reason: "not found in PATH" + (config.installHint.map { " (\($0.split(separator: "\n").first ?? ""))" } ?? ""))
        }
        let result = try await Self.execute(resolved, config.args ?? [], env)
        guard result.status == 0 else {
            let firstLine = result.stderr.split(separator: "\n").first.map(String.init) ?? "no output"
            throw KubeError.execPlugin(command: command, reason: "exited with status \(result.status): \(firstLine)")
        }
        return try Self.parse(result.stdout, command: command, expectedAPIVersion: config.apiVersion)
    }

    /// Parses an `ExecCredential` printed by a plugin.
    static func parse(_ output: [UInt8], command: String, expectedAPIVersion: String) throws -> ExecCredential {
        struct Output: Decodable {
            var apiVersion: String?
            var kind: String?
            var status: Status?
            struct Status: Decodable {
                var token: String?
                var clientCertificateData: String?
                var clientKeyData: String?
                var expirationTimestamp: String?
            }
        }
        let decoded: Output
        do { decoded = try JSONDecoder().decode(Output.self, from: Data(output)) } catch {
            throw KubeError.execPlugin(command: command, reason: "did not print an ExecCredential JSON object")
        }
        guard decoded.kind == "ExecCredential" else {
            throw KubeError.execPlugin(command: command, reason: "printed kind \(decoded.kind ?? "<none>"), expected ExecCredential")
        }
        if let v = decoded.apiVersion, v != expectedAPIVersion {
            throw KubeError.execPlugin(command: command, reason: "printed apiVersion \(v), kubeconfig asked for \(expectedAPIVersion)")
        }
        guard let status = decoded.status else {
            throw KubeError.execPlugin(command: command, reason: "printed an ExecCredential without status")
        }
        var credential = ExecCredential()
        credential.token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        if let cert = status.clientCertificateData, let key = status.clientKeyData {
            credential.clientCertificate = ClientCertificate(certificatePEM: Array(cert.utf8), keyPEM: Array(key.utf8))
        }
        guard credential.token != nil || credential.clientCertificate != nil else {
            throw KubeError.execPlugin(command: command, reason: "returned neither a token nor a client certificate and key")
        }
        if let ts = status.expirationTimestamp {
            guard let date = RFC3339.parse(ts) else {
                throw KubeError.execPlugin(command: command, reason: "expirationTimestamp \(ts) is not RFC 3339")
            }
            credential.expiration = date
        }
        return credential
    }

    private static func lookUp(_ command: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func execute(
        _ path: String, _ args: [String], _ env: [String: String]
    ) async throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.runSerialized()
                } catch {
                    continuation.resume(
                        throwing: KubeError.execPlugin(command: path, reason: "cannot be started (\(error.localizedDescription))"))
                    return
                }
                // stderr is drained on another thread so a chatty plugin cannot block on a full pipe
                // while stdout is being read.
                let errBox = StderrBox()
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    let data = err.fileHandleForReading.readToEndRetryingInterrupts()
                    errBox.data.withLock { $0 = data }
                    group.leave()
                }
                let outData = out.fileHandleForReading.readToEndRetryingInterrupts()
                group.wait()
                process.waitUntilExit()
                let stderr = errBox.data.withLock { String(decoding: $0, as: UTF8.self) }
                continuation.resume(returning: (process.terminationStatus, Array(outData), stderr))
            }
        }
    }

    private final class StderrBox: Sendable { let data = Mutex(Data()) }
}
