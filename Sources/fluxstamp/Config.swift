import Foundation
import Yams

/// `fluxstamp.yaml` (SPEC section 10). Every key is optional; command-line flags override it.
/// Unknown keys are an error that names the key, so a typo never silently changes behaviour.
struct FluxstampConfig: Decodable, Equatable {
    /// Per forge host settings.
    struct Forge: Decodable, Equatable {
        var host: String
        var type: String?
        var apiBaseURL: String?
        var tokenFile: String?
        var writesPerMinute: Double?
    }

    /// A local checkout to use instead of fetching a repository URL.
    struct Repository: Decodable, Equatable {
        var url: String
        var path: String
    }

    var clusterName: String?
    var namespace: String?
    var selector: String?
    var contextTemplate: String?
    var intermediate: String?
    var since: String?
    var maxWrites: Int?
    var cacheDir: String?
    var forges: [Forge]?
    var repositories: [Repository]?
    var noCrossNamespaceRefs: Bool?
    var ledger: String?
    // Deployments (docs/deployments.md).
    var deployments: String?
    var statuses: Bool?
    var environmentTemplate: String?
    var environments: [Environment]?
    var productionEnvironments: [String]?
    var environmentURL: String?
    var deploymentLogURL: String?

    /// Kustomizations (`NAMESPACE/NAME` or `NAME`, `*` wildcards) deploying to a named environment.
    struct Environment: Decodable, Equatable {
        var kustomizations: String
        var environment: String
        var production: Bool?
    }
    var ledgerRetention: String?
    var pushgateway: String?
    var metricsFile: String?

    static let keys: Set<String> = [
        "clusterName", "namespace", "selector", "contextTemplate", "intermediate", "since",
        "maxWrites", "cacheDir", "forges", "repositories", "noCrossNamespaceRefs", "ledger",
        "deployments", "statuses", "environmentTemplate", "environments", "productionEnvironments", "environmentURL",
        "deploymentLogURL",
        "ledgerRetention",
        "pushgateway", "metricsFile",
    ]
    static let environmentKeys: Set<String> = ["kustomizations", "environment", "production"]
    static let forgeKeys: Set<String> = ["host", "type", "apiBaseURL", "tokenFile", "writesPerMinute"]
    static let repositoryKeys: Set<String> = ["url", "path"]

    /// Reads and checks a configuration file.
    static func load(path: String) throws -> FluxstampConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, message: "cannot read the file; check --config")
        }
        let text = String(decoding: data, as: UTF8.self)
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch {
            throw ConfigError(path: path, message: "not valid YAML: \(error)")
        }
        guard let top = node as? [String: Any] else {
            if node == nil { return FluxstampConfig() }
            throw ConfigError(path: path, message: "the top level must be a mapping of keys to values")
        }
        try checkKeys(top, allowed: keys, at: "", path: path)
        for (list, allowed) in [("forges", forgeKeys), ("repositories", repositoryKeys), ("environments", environmentKeys)] {
            guard let value = top[list] else { continue }
            guard let entries = value as? [Any] else { throw ConfigError(path: path, message: "\(list) must be a list") }
            for (i, entry) in entries.enumerated() {
                guard let map = entry as? [String: Any] else { throw ConfigError(path: path, message: "\(list)[\(i)] must be a mapping") }
                try checkKeys(map, allowed: allowed, at: "\(list)[\(i)].", path: path)
            }
        }
        do {
            return try YAMLDecoder().decode(FluxstampConfig.self, from: text)
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            throw ConfigError(path: path, message: "\(keyPath(context.codingPath)) must be \(describe(type))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigError(path: path, message: "\(keyPath(context.codingPath + [key])) is required")
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
    }

    private static func checkKeys(_ map: [String: Any], allowed: Set<String>, at prefix: String, path: String) throws {
        for key in map.keys.sorted() where !allowed.contains(key) {
            throw ConfigError(path: path, message: "unknown key '\(prefix)\(key)' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func keyPath(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "a whole number"
        case is String.Type: return "a string"
        case is [Any].Type: return "a list"
        default: return "a \(type)"
        }
    }
}

/// A configuration file that cannot be used.
struct ConfigError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "config \(path): \(message)" }
}
