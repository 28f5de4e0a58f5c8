import Clibgit2

/// A git object id (SHA-1, 20 bytes), hashable and cheap to copy.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Stored as three integers so hashing and comparing never allocate.
    let a: UInt64, b: UInt64, c: UInt32

    init(_ oid: git_oid) {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        withUnsafeBytes(of: oid.id) { raw in
            a = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            c = raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
        }
        self.a = a; self.b = b; self.c = c
    }

    init(_ pointer: UnsafePointer<git_oid>) { self.init(pointer.pointee) }

    /// Parses a full 40-character hex sha; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, 40) == 0 else { return nil }
        self.init(oid)
    }

    var gitOID: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            raw.storeBytes(of: a, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: c, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }

    /// The 40-character lowercase hex form.
    public var hex: String {
        let digits: StaticString = "0123456789abcdef"
        let oid = gitOID
        return withUnsafeBytes(of: oid.id) { raw in
            String(unsafeUninitializedCapacity: 40) { out in
                for (i, byte) in raw.enumerated() {
                    out[2 * i] = digits.utf8Start[Int(byte >> 4)]
                    out[2 * i + 1] = digits.utf8Start[Int(byte & 0x0f)]
                }
                return 40
            }
        }
    }

    /// Appends the 40 lowercase hex digits to `bytes`, for output written without building strings.
    public func appendHex(to bytes: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        let oid = gitOID
        withUnsafeBytes(of: oid.id) { raw in
            for byte in raw {
                bytes.append(digits.utf8Start[Int(byte >> 4)])
                bytes.append(digits.utf8Start[Int(byte & 0x0f)])
            }
        }
    }

    /// The first seven hex characters, as git shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }
}

extension UInt8 {
    var isHexDigit: Bool {
        (48...57).contains(self) || (97...102).contains(self) || (65...70).contains(self)
    }
}
