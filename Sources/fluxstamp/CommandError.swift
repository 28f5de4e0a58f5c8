import ArgumentParser
import Foundation

/// Every way a command ends early, with the exit code README states. Each case's text is one line
/// saying what failed, where, why and what to do; `Fluxstamp.main` prints it as `error: <text>`.
enum CommandError: Error, CustomStringConvertible {
    /// A flag or `fluxstamp.yaml` value cannot be used: nothing was read or written (exit 2).
    case settings(String)
    /// The kubeconfig, its context or the in-cluster configuration cannot be used (exit 2).
    case clusterConfiguration(String)
    /// The Kustomizations could not be listed: nothing was planned (exit 1).
    case clusterUnreadable(String)
    /// A repository or revision given on the command line cannot be used (exit 1 when it is not
    /// there, 2 when the argument itself is wrong).
    case git(String, usage: Bool)
    /// The run finished but some inputs were unusable or some writes failed; each was already
    /// printed as its own line (exit 1).
    case finishedWithFailures
    /// Like `finishedWithFailures`, but a credential was refused (401/403 from a forge or the
    /// cluster): running again cannot fix it (exit 3, so a CronJob's podFailurePolicy can stop).
    case credentialRefused
    /// The cluster refused the credential before anything was listed (exit 3).
    case clusterRefused(String)

    /// The process exit code.
    var exitCode: Int32 {
        switch self {
        case .settings, .clusterConfiguration: return 2
        case .git(_, let usage): return usage ? 2 : 1
        case .clusterUnreadable, .finishedWithFailures: return 1
        case .credentialRefused, .clusterRefused: return 3
        }
    }

    /// The line after `error: `, or nil when everything was printed already.
    var description: String {
        switch self {
        case .settings(let text), .clusterConfiguration(let text), .clusterUnreadable(let text), .clusterRefused(let text),
            .git(let text, _):
            // One line, whatever the underlying error (a YAML parser's message spans several).
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: "; ")
        case .finishedWithFailures, .credentialRefused: return ""
        }
    }
}
