import Foundation
import Reconcile
import Testing

private let sha1 = "0123456789abcdef0123456789abcdef01234567"
private let sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

@Suite struct RevisionTests {
    /// (input, pointer, algorithm, hash, format)
    static let valid: [(String, String?, String, String, Revision.Format)] = [
        ("main@sha1:\(sha1)", "main", "sha1", sha1, .rfc0005),
        ("feature/x@sha1:\(sha1)", "feature/x", "sha1", sha1, .rfc0005),
        ("v1.2.0@sha1:\(sha1)", "v1.2.0", "sha1", sha1, .rfc0005),
        ("refs/heads/main@sha1:\(sha1)", "refs/heads/main", "sha1", sha1, .rfc0005),
        ("refs/pull/420/head@sha1:\(sha1)", "refs/pull/420/head", "sha1", sha1, .rfc0005),
        ("user@host/branch@sha1:\(sha1)", "user@host/branch", "sha1", sha1, .rfc0005),
        ("sha1:\(sha1)", nil, "sha1", sha1, .rfc0005),
        ("main@sha1:\(sha1.uppercased())", "main", "sha1", sha1, .rfc0005),
        ("latest@sha256:\(sha256)", "latest", "sha256", sha256, .rfc0005),
        ("sha256:\(sha256)", nil, "sha256", sha256, .rfc0005),
        ("main/\(sha1)", "main", "sha1", sha1, .legacy),
        ("environment/dev/\(sha1)", "environment/dev", "sha1", sha1, .legacy),
        ("HEAD/\(sha1)", "HEAD", "sha1", sha1, .legacy),
        (sha1, nil, "sha1", sha1, .bareSHA),
    ]

    @Test("every revision form parses into pointer, algorithm and hash", arguments: valid)
    func parses(input: String, pointer: String?, algorithm: String, hash: String, format: Revision.Format) throws {
        let revision = try Revision.parse(input).get()
        #expect(revision.pointer == pointer)
        #expect(revision.algorithm == algorithm)
        #expect(revision.hash == hash)
        #expect(revision.format == format)
    }

    @Test("sha1 revisions name a commit; OCI sha256 digests do not, and say why")
    func commits() throws {
        #expect(try Revision.parse("main@sha1:\(sha1)").get().commit == .success(sha1))
        #expect(try Revision.parse("main/\(sha1)").get().commit == .success(sha1))
        let oci = try Revision.parse("latest@sha256:\(sha256)").get()
        guard case .failure(let reason) = oci.commit else { Issue.record("an OCI digest is not a commit"); return }
        #expect(reason.description.contains("origin revision"))
        #expect(reason.description.contains("sha256 git repositories are not supported"))
    }

    /// (input, a fragment the reason must contain)
    static let junk: [(String, String)] = [
        ("", "no revision"),
        ("master", "not a commit revision"),
        ("1.2.3", "not a commit revision"),
        ("6.5.1+1a2b3c", "not a commit revision"),
        ("main@sha1:xyz", "must be hexadecimal"),
        ("main@sha1:\(sha1.prefix(39))", "40 hex digits"),
        ("main@sha256:\(sha1)", "64 hex digits"),
        ("main@sha1:", "must be hexadecimal"),
        ("main@:\(sha1)", "letters and digits"),
        ("main/\(sha1.prefix(12))", "not a commit revision"),
        ("/\(sha1)", "not a commit revision"),
        ("main@\(sha1)", "not a commit revision"),
        ("main@blake3:abcd", "not a commit revision"),
    ]

    @Test("anything else is 'no commit' with a readable reason", arguments: junk)
    func rejects(input: String, fragment: String) {
        switch Revision.parse(input) {
        case .success(let revision):
            if case .failure(let reason) = revision.commit {
                #expect(reason.description.contains(fragment) || fragment == "not a commit revision", "\(input): \(reason)")
            } else {
                Issue.record("'\(input)' parsed as a commit: \(revision)")
            }
        case .failure(let reason):
            #expect(reason.description.contains(fragment), "\(input): \(reason)")
        }
    }

    @Test("canonical form round-trips")
    func roundTrip() throws {
        for (input, _, _, _, format) in Self.valid where format == .rfc0005 {
            let revision = try Revision.parse(input).get()
            #expect(try Revision.parse(revision.description).get() == revision)
        }
    }

    @Test("random strings never crash the parser, and whatever parses re-parses the same")
    func fuzz() throws {
        var rng = SplitMix64(seed: 0x5eed)
        let alphabet = Array("@/:.-_ abcdefxyzABCDEF0123456789shamainrefs\u{e9}\u{1F600}\n")
        var parsed = 0
        for round in 0..<20_000 {
            var text = ""
            let length = Int(rng.next() % 90)
            for _ in 0..<length { text.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            // Splice in real-looking pieces so the interesting branches are reached too.
            switch round % 4 {
            case 1: text += "@sha1:" + sha1
            case 2: text += "/" + sha1
            case 3: text = "sha256:" + String(sha256.prefix(Int(rng.next() % 70))) + text
            default: break
            }
            if case .success(let revision) = Revision.parse(text) {
                parsed += 1
                #expect(try Revision.parse(revision.description).get().hash == revision.hash)
            }
        }
        #expect(parsed > 1000)
    }
}

/// A small deterministic generator for fuzz inputs (same inputs on every run).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RefNameTests {
    @Test(
        "the branch or tag a revision names, for GitLab's ref",
        arguments: [
            ("main@sha1:\(String(repeating: "a", count: 40))", "main"),
            ("refs/heads/feature/x@sha1:\(String(repeating: "a", count: 40))", "feature/x"),
            ("refs/tags/v1.2.0@sha1:\(String(repeating: "a", count: 40))", "v1.2.0"),
            ("v1.2.0@sha1:\(String(repeating: "a", count: 40))", "v1.2.0"),
            ("main/\(String(repeating: "a", count: 40))", "main"),
        ])
    func refs(text: String, expected: String) {
        #expect(Revision.refName(text) == expected)
    }

    @Test(
        "no ref: commit pins, pull-request refs, HEAD, junk",
        arguments: [
            "sha1:\(String(repeating: "a", count: 40))", "refs/pull/420/head@sha1:\(String(repeating: "a", count: 40))",
            "HEAD/\(String(repeating: "a", count: 40))", "1.2.3",
        ])
    func noRef(text: String) {
        #expect(Revision.refName(text) == nil)
    }
}

@Suite struct HorizonTests {
    static let durationCases: [(String, Double)] = [
        ("72h", -259_200), ("90m", -5_400), ("7d", -604_800), ("2w", -1_209_600), ("30s", -30),
    ]

    @Test("durations", arguments: durationCases)
    func durations(text: String, offset: Double) throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Horizon.parse(text, now: now) == now.addingTimeInterval(offset))
    }

    @Test("dates and junk")
    func dates() {
        #expect(Horizon.parse("2026-11-01")?.timeIntervalSince1970 == 1_793_491_200)
        #expect(Horizon.parse("2026-11-01T12:00:00Z")?.timeIntervalSince1970 == 1_793_534_400)
        #expect(Horizon.parse("yesterday") == nil)
        #expect(Horizon.parse("-3h") == nil)
        #expect(Horizon.parse("h") == nil)
    }
}
