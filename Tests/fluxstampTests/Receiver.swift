import FluxstampTesting
import Foundation
import Synchronization

/// An HTTP endpoint that keeps every request it gets and answers each with `status`: a stand-in
/// for a Prometheus Pushgateway or a webhook receiver.
final class Receiver: Sendable {
    let server: EmulatorServer
    private let box: ReceivedBox

    /// Starts a receiver on 127.0.0.1 answering `status` to everything.
    static func start(status: Int = 200) async throws -> Receiver {
        let box = ReceivedBox()
        let server = try await EmulatorServer { request in
            box.append(request)
            return EmulatorResponse(status: status)
        }
        return Receiver(server: server, box: box)
    }

    private init(server: EmulatorServer, box: ReceivedBox) {
        self.server = server
        self.box = box
    }

    var url: String { server.baseURL }
    var requests: [EmulatorRequest] { box.all }
    func stop() async { await server.shutdown() }
}

/// The requests a receiver got, shared with its handler.
final class ReceivedBox: Sendable {
    private let requests = Mutex<[EmulatorRequest]>([])
    func append(_ request: EmulatorRequest) { requests.withLock { $0.append(request) } }
    var all: [EmulatorRequest] { requests.withLock { $0 } }
}

/// One sample of a Prometheus text exposition.
struct PrometheusSample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// Parses the Prometheus text format (0.0.4) strictly enough to reject a malformed body: every
/// sample line is `name{label="value",…} number`, every name has a `# TYPE` line before its first
/// sample, and no `# TYPE` repeats.
func parsePrometheusText(_ text: String) throws -> [PrometheusSample] {
    struct Malformed: Error, CustomStringConvertible { var description: String }
    var typed: Set<String> = []
    var samples: [PrometheusSample] = []
    let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/
    let label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, ["gauge", "counter", "histogram", "summary", "untyped"].contains(parts[3]) else {
                throw Malformed(description: "bad TYPE line: \(line)")
            }
            guard typed.insert(String(parts[2])).inserted else { throw Malformed(description: "TYPE repeated: \(line)") }
            continue
        }
        if line.hasPrefix("#") { continue }
        guard let match = try sample.wholeMatch(in: String(line)) else { throw Malformed(description: "bad sample line: \(line)") }
        let name = String(match.1)
        guard typed.contains(name) else { throw Malformed(description: "sample before its TYPE: \(line)") }
        var labels: [String: String] = [:]
        if let body = match.3 {
            for pair in body.matches(of: label) { labels[String(pair.1)] = String(pair.2) }
        }
        guard let value = Double(String(match.4)) else { throw Malformed(description: "bad value: \(line)") }
        samples.append(PrometheusSample(name: name, labels: labels, value: value))
    }
    return samples
}

extension [PrometheusSample] {
    /// The value of the sample with this name and exactly these labels (besides `ignoring`).
    func value(_ name: String, _ labels: [String: String] = [:], ignoring: Set<String> = ["cluster", "shard"]) -> Double? {
        first { $0.name == name && $0.labels.filter { !ignoring.contains($0.key) } == labels }?.value
    }
}
