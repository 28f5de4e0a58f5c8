/// A connection failure in a few plain words (`connection refused`, `timed out`, `connection closed
/// before an answer`, `host name not resolved`, `TLS handshake failed`), for one-line messages:
/// NIO's descriptions nest parentheses that do not balance and errno details a reader cannot act on.
public enum NetworkProblem {
    /// The failure in a few words; an error none of them fits is its description, flattened and cut.
    public static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let lower = text.lowercased()
        if lower.contains("refused") { return "connection refused" }
        if lower.contains("timeout") || lower.contains("timed out") || lower.contains("deadlineexceeded") { return "timed out" }
        if lower.contains("remoteconnectionclosed") || lower.contains("reset") || lower.contains("eof")
            || lower.contains("closed")
        {
            return "connection closed before an answer"
        }
        if lower.contains("resolve") || lower.contains("nodename") || lower.contains("dns") { return "host name not resolved" }
        if lower.contains("certificate") || lower.contains("ssl") || lower.contains("tls") { return "TLS handshake failed" }
        let flat = text.map { "()".contains($0) ? " " : $0 }.split(separator: " ").joined(separator: " ")
        return String(flat.prefix(120))
    }
}
