import Foundation

// fluxstamp-bench CASE [ARGS…]: one benchmark case per invocation, run by scripts/bench.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage =
    "usage: fluxstamp-bench git-paths REPO PATH… | git-carried REPO PATH… | forges | sync FLUXSTAMP_BINARY"
    + " | monorepo FLUXSTAMP_BINARY REPO | ledger DIRECTORY [POSTGRES_URL]"
    + " | deployments"
guard let name = arguments.first else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
do {
    switch name {
    case "git-paths": try GitBench.run(Array(arguments.dropFirst()))
    case "git-carried": try CarriedBench.run(Array(arguments.dropFirst()))
    case "forges": try await ForgeBench.run(Array(arguments.dropFirst()))
    case "sync": try await SyncBench.run(Array(arguments.dropFirst()))
    case "monorepo": try await MonorepoBench.run(Array(arguments.dropFirst()))
    case "ledger": try await LedgerBench.run(Array(arguments.dropFirst()))
    case "deployments": try await DeploymentsBench.run(Array(arguments.dropFirst()))
    case "audit": try await AuditBench.run(Array(arguments.dropFirst()))
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(name)\n\(usage)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("benchmark \(name) failed: \(error)\n".utf8))
    exit(1)
}
