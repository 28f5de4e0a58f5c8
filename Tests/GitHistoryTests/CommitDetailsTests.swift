import FluxstampTesting
import Foundation
import GitHistory
import Testing

/// What walks read from raw commit objects (author, subject, times) must be what git shows.
@Suite struct CommitDetailsTests {
    @Test(
        "RFC 3339 times agree with Foundation's ISO 8601 style",
        arguments: [
            Int64(0), 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_700_000_000, 1_709_164_800, 4_102_444_799, 253_402_300_799,
            -1, -86_401,
        ])
    func rfc3339(seconds: Int64) {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        #expect(GitTime.rfc3339(seconds) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
    }

    @Test("subjects and authors read from raw commits are git's %s and %an")
    func subjectsAndAuthors() throws {
        let fixture = try GitFixture(name: "details")
        let messages = [
            "plain subject",
            "first line\nsecond line of the same paragraph\n\nbody",
            "trailing spaces   \n\nbody",
            "  indented subject",
            "quotes \"and\" back\\slash and a/slash",
            "ünïcödé ✓ subject",
            "tab\tinside",
        ]
        for (index, message) in messages.enumerated() {
            try fixture.commit(message, ["f": "\(index)"])
        }
        // A message that starts with blank lines, and an author with an odd name.
        try fixture.git(
            "-c", "user.name=Ann O'Neil-Ünal", "commit", "-q", "--allow-empty", "--cleanup=verbatim",
            "-m", "\n\nafter blank lines")
        let repository = try Repository.open(at: fixture.path)
        var walked: [(subject: String, author: String, time: Int64, committerTime: Date)] = []
        try repository.walkFirstParent(from: try repository.resolve("HEAD"), details: .all) { commit in
            let details = try #require(commit.details)
            walked.append((details.subject, details.authorName, commit.committerTime, details.committerTime))
            return true
        }
        let subjects = try fixture.git("log", "--first-parent", "--format=%s").split(separator: "\n", omittingEmptySubsequences: false)
        let authors = try fixture.git("log", "--first-parent", "--format=%an").split(separator: "\n")
        #expect(walked.map(\.subject) == subjects.map(String.init))
        #expect(walked.map(\.author) == authors.map(String.init))
        #expect(walked.allSatisfy { Int64($0.committerTime.timeIntervalSince1970) == $0.time })
    }

    @Test("details are read only for the commits asked for", arguments: [WalkDetails.none, .touching, .all])
    func detailPolicy(details: WalkDetails) throws {
        let fixture = try GitFixture(name: "policy")
        try fixture.commit("touch", ["apps/a": "1"])
        try fixture.commit("elsewhere", ["docs/b": "1"])
        let repository = try Repository.open(at: fixture.path)
        var withDetails: [Bool] = []
        try repository.walkFirstParent(from: try repository.resolve("HEAD"), paths: ["apps"], details: details) {
            withDetails.append($0.details != nil)
            return true
        }
        let expected: [Bool] =
            switch details {
            case .none: [false, false]
            case .touching: [false, true]
            case .all: [true, true]
            }
        #expect(withDetails == expected)
    }
}
