// fluxstamp-sandbox DIR [--scale-repositories N --scale-kustomizations M] [--client-certificate]
//
// Starts a Sandbox (FluxstampTesting) in DIR: a generated git history, the Kubernetes API emulator
// loaded with Flux objects, and a GitHub emulator. When everything is up and DIR/kubeconfig,
// DIR/fluxstamp.yaml and DIR/sandbox.json are written, it prints `ready DIR` on stdout, then
// serves until SIGTERM or SIGINT and shuts down cleanly (exit 0). DIR/fluxstamp.yaml names a
// SQLite ledger, DIR/ledger.db, which starts empty with each sandbox (the world starts over too).
import Dispatch
import FluxstampTesting
import Foundation

let usage = """
    usage: fluxstamp-sandbox DIR [--scale-repositories N --scale-kustomizations M] [--client-certificate]

    Starts the sandbox in DIR and prints `ready DIR` when DIR/kubeconfig, DIR/fluxstamp.yaml and
    DIR/sandbox.json are written; serves until SIGTERM or SIGINT. fluxstamp.yaml records runs in
    the SQLite ledger DIR/ledger.db (emptied at each start).
      --scale-repositories N     the benchmark world: N generated repositories (default 20 with
      --scale-kustomizations M   M Kustomizations, default 200); without them, the fleet demo world
      --client-certificate       the kubeconfig authenticates with a client certificate, not a token

    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("fluxstamp-sandbox: \(message)\n".utf8))
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var directory: String?
var repositories: Int?
var kustomizations: Int?
var clientCertificate = false
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    func number() -> Int {
        guard let text = arguments.first, let value = Int(text), value > 0 else { fail("\(argument) needs a positive number\n\n" + usage) }
        arguments.removeFirst()
        return value
    }
    switch argument {
    case "-h", "--help": print(usage, terminator: ""); exit(0)
    case "--scale-repositories": repositories = number()
    case "--scale-kustomizations": kustomizations = number()
    case "--client-certificate": clientCertificate = true
    default:
        guard !argument.hasPrefix("-"), directory == nil else { fail("unexpected argument \(argument)\n\n" + usage) }
        directory = argument
    }
}
guard let directory else { fail("missing DIR\n\n" + usage) }
let scale: Sandbox.Scale? =
    (repositories == nil && kustomizations == nil)
    ? nil
    : Sandbox.Scale(repositories: repositories ?? 20, kustomizations: kustomizations ?? 200)

let stop = StopSignal()

// A new world each start, so a ledger from an earlier sandbox would hold facts about commits that no longer exist.
let ledgerPath = URL(fileURLWithPath: directory).standardizedFileURL.appendingPathComponent("ledger.db").path
for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: ledgerPath + suffix) {
    do { try FileManager.default.removeItem(atPath: ledgerPath + suffix) } catch {
        fail("cannot remove the previous sandbox's ledger \(ledgerPath + suffix): \(error)", code: 1)
    }
}

let started = Date()
let sandbox: Sandbox
do {
    sandbox = try await Sandbox.start(
        directory: URL(fileURLWithPath: directory), scale: scale,
        kubeCredential: clientCertificate ? .clientCertificate(user: "fluxstamp") : .defaultToken)
} catch {
    fail("could not start: \(error)", code: 1)
}
do {
    // fluxstamp.yaml is the sandbox library's; the ledger is this program's addition, so the library's tests and
    // benchmarks run without one.
    let config = try FileHandle(forWritingTo: sandbox.configURL)
    try config.seekToEnd()
    let quoted = ledgerPath.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    try config.write(contentsOf: Data("ledger: \"sqlite:\(quoted)\"\n".utf8))
    try config.close()
} catch {
    await sandbox.stop()
    fail("could not add the ledger to \(sandbox.configURL.path): \(error)", code: 1)
}
let summary =
    "\(sandbox.world.kustomizations.count) Kustomizations over \(sandbox.repositories.count) repositories, "
    + "Kubernetes API \(sandbox.kube.url), GitHub \(sandbox.githubAPIBaseURL), ledger sqlite:\(ledgerPath) "
    + "(\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
FileHandle.standardError.write(Data("fluxstamp-sandbox: \(summary)\n".utf8))
FileHandle.standardOutput.write(Data("ready \(sandbox.directory.path)\n".utf8))

await stop.wait()
FileHandle.standardError.write(Data("fluxstamp-sandbox: stopping\n".utf8))
await sandbox.stop()
withExtendedLifetime(stop) {}
exit(0)
