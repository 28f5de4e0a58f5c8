import Forges
import Kube

/// Something a run found unusable or worth saying, kept as a value and rendered once at the edge
/// (the command line prints each as one `error: ` or `note: ` line; the ledger and metrics count
/// them). Never carries a secret: messages come from the Kube and Forges layers, which keep
/// tokens out of theirs.
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    /// How much it matters.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// An input was unusable or a write failed: the run exits 1 (it still did everything else).
        case failure
        /// A known limit the user should hear of; the exit code is unchanged.
        case note
    }

    /// The pipeline stage that found it.
    public enum Stage: String, Sendable, Hashable, Codable {
        /// Reading the cluster: Kustomizations, sources, Providers, Alerts, Secrets.
        case observe
        /// Opening or fetching a repository, looking up commits.
        case resolve
        /// Reading the forge's existing statuses.
        case readForge
        /// Writing statuses.
        case apply
    }

    /// What it is about: `Kustomization apps/web`, `repository https://…`, `github.com/acme/fleet`.
    public var subject: String
    /// What went wrong, why, and what to do.
    public var message: String
    /// Failure or note.
    public var severity: Severity
    /// Where in the pipeline.
    public var stage: Stage
    /// A credential was refused (401/403 from a forge or the Kubernetes API): running again cannot
    /// fix it, so the command exits 3 and a CronJob's `podFailurePolicy` can fail the Job at once.
    public var credentialRefused = false

    /// Creates a problem.
    public init(_ subject: String, _ message: String, severity: Severity = .failure, stage: Stage) {
        self.subject = subject
        self.message = message
        self.severity = severity
        self.stage = stage
    }

    /// Creates a problem from an error, whose description already names what failed.
    public init(_ subject: String, _ error: any Error, severity: Severity = .failure, stage: Stage) {
        self.init(subject, String(describing: error), severity: severity, stage: stage)
        credentialRefused = Self.refusesCredential(error)
    }

    /// Whether an error says a credential was refused: a forge's 401/403 (not a rate limit) or the
    /// Kubernetes API's 401/403.
    public static func refusesCredential(_ error: any Error) -> Bool {
        if let forge = error as? ForgeError { return forge.kind == .unauthorized || forge.kind == .forbidden }
        if let kube = error as? KubeError {
            switch kube {
            case .unauthorized, .forbidden: return true
            default: return false
            }
        }
        return false
    }

    /// `subject: message`, or the message alone when it already starts with the subject.
    public var description: String {
        subject.isEmpty || message.hasPrefix(subject) ? message : "\(subject): \(message)"
    }
}
