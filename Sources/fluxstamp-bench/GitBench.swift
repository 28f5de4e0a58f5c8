/// Git benchmark: filled in with the GitHistory engine.
enum GitBench {
    static func run(_ arguments: [String]) throws {}
}
