// Bounded concurrency for bulk reads and writes: at most `limit` tasks in flight.

extension Array where Element: Sendable {
    /// Maps with at most `limit` tasks in flight; results in no particular order.
    public func concurrentMap<T: Sendable>(limit: Int, _ body: @escaping @Sendable (Element) async -> T) async -> [T] {
        await withTaskGroup(of: T.self) { group in
            var results: [T] = []
            results.reserveCapacity(count)
            var iterator = makeIterator()
            for _ in 0..<Swift.max(1, limit) {
                guard let next = iterator.next() else { break }
                group.addTask { await body(next) }
            }
            while let result = await group.next() {
                results.append(result)
                if let next = iterator.next() { group.addTask { await body(next) } }
            }
            return results
        }
    }
}

extension Array where Element: Sendable {
    /// Maps with at most `limit` tasks in flight, stopping at the first error; results in no
    /// particular order.
    func concurrentMapThrowing<T: Sendable>(limit: Int, _ body: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            var results: [T] = []
            results.reserveCapacity(count)
            var iterator = makeIterator()
            for _ in 0..<Swift.max(1, limit) {
                guard let next = iterator.next() else { break }
                group.addTask { try await body(next) }
            }
            while let result = try await group.next() {
                results.append(result)
                if let next = iterator.next() { group.addTask { try await body(next) } }
            }
            return results
        }
    }
}
