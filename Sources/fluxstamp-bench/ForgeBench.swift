/// Forge benchmark: not built yet (issue 4).
enum ForgeBench {
    static func run(_ arguments: [String]) async throws {
        struct NotBuilt: Error, CustomStringConvertible { var description: String { "the forge benchmark is not built yet" } }
        throw NotBuilt()
    }
}
