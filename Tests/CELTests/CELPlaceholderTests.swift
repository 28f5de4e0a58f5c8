import CEL
import Testing

@Suite struct CELModuleTests {
    @Test func moduleLinks() { _ = CEL.self }
}
