// swift-tools-version:6.1
// fluxstamp: make git commit statuses tell the truth about what Flux has deployed.
import PackageDescription

let package = Package(
    name: "fluxstamp",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fluxstamp", targets: ["fluxstamp"]),
        .executable(name: "fluxstamp-bench", targets: ["fluxstamp-bench"]),
        .executable(name: "fluxstamp-sandbox", targets: ["fluxstamp-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The ledger's two backends (see Sources/Ledger/Ledger.swift for the measured build cost).
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Prometheus text exposition for run metrics (docs/operate.md: the measured build cost).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libgit2 from the system (Debian: libgit2-dev). Only GitHistory imports it.
        .systemLibrary(
            name: "Clibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // One git repository address (parse, normalise, compare, host), shared by git and forges.
        .target(name: "RepositoryAddress"),
        // Git history engine: repositories, mirrors, first-parent walks, ancestry, path touches.
        .target(
            name: "GitHistory",
            dependencies: [
                "Clibgit2", "RepositoryAddress", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // A small CEL evaluator for Provider `commitStatusExpr` (a leaf: no other dependency).
        .target(name: "CEL"),
        // Revisions, observations, the planner and the executor.
        .target(
            name: "Reconcile",
            dependencies: ["GitHistory", "Kube", "Forges", "RepositoryAddress", "CEL", .product(name: "Logging", package: "swift-log")]
        ),
        // Kubernetes API access (kubeconfig, in-cluster) and typed Flux objects.
        .target(
            name: "Kube",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Commit-status clients for GitHub, GitLab, Gitea/Forgejo, Bitbucket, Azure DevOps.
        .target(
            name: "Forges",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                "RepositoryAddress",
            ]
        ),
        // Emulators (Kubernetes API, forges) and git fixture builders for tests, bench and demo.
        .target(
            name: "FluxstampTesting",
            dependencies: [
                "GitHistory", "Kube", "Forges",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The ledger: runs, observations and written statuses kept in SQLite or PostgreSQL (a leaf: no
        // fluxstamp module, so the pipeline can change without touching the stored schema).
        .target(
            name: "Ledger",
            dependencies: [
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Audit: deployments, carried commits, lead times, DORA figures and the report formats; the
        // computation is pure (Compute/), the facts are gathered from cluster, ledger, forge and git (Gather/).
        .target(
            name: "Audit",
            dependencies: [
                "GitHistory", "Reconcile", "Kube", "Forges", "Ledger", "RepositoryAddress",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Operating a run: `wait` (the CI gate), metrics, notifications and sharding.
        .target(
            name: "Operations",
            dependencies: [
                "GitHistory", "Reconcile", "Kube", "Forges", "RepositoryAddress",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The command-line tool: argument parsing, wiring, output.
        .executableTarget(
            name: "fluxstamp",
            dependencies: [
                "GitHistory", "Reconcile", "Kube", "Forges", "RepositoryAddress", "Ledger", "Audit", "Operations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The sandbox: a Kubernetes API emulator with a realistic Flux setup and a GitHub
        // emulator, as one process the real binary talks to (scripts/demo, end-to-end tests).
        .executableTarget(name: "fluxstamp-sandbox", dependencies: ["FluxstampTesting", "GitHistory"]),
        // Benchmarks driven by scripts/bench: each case prints figures and ratios measured in one run.
        .executableTarget(
            name: "fluxstamp-bench",
            dependencies: ["GitHistory", "Reconcile", "Kube", "Forges", "FluxstampTesting", "Ledger", "Audit"]
        ),
        .testTarget(
            name: "GitHistoryTests",
            dependencies: ["GitHistory", "RepositoryAddress", "FluxstampTesting", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "CELTests", dependencies: ["CEL"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit"]),
        .testTarget(
            name: "OperationsTests",
            dependencies: ["Operations", "Reconcile", "Forges", "FluxstampTesting", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"]),
        .testTarget(
            name: "ReconcileTests",
            dependencies: ["Reconcile", "FluxstampTesting", "Kube", "Forges", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "KubeTests", dependencies: ["Kube", "FluxstampTesting"]),
        .testTarget(name: "ForgesTests", dependencies: ["Forges", "FluxstampTesting"]),
        .testTarget(
            name: "fluxstampTests",
            dependencies: [
                "FluxstampTesting", "GitHistory", "Kube", "Ledger", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
