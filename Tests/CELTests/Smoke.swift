import CEL
import Testing
@Test func smoke() throws { let p = try CELProgram(parsing: "1 + 2"); #expect(p.evaluate([String: CELValue]()) == .value(.int(3))) }
