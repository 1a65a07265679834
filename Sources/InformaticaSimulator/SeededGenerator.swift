/// SplitMix64: a small, fast, seedable generator, so fault injection repeats under the same seed
/// and the same order of requests. Not for secrets: simulator ids are unguessable only by accident.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in `0..<1`.
    mutating func nextUnit() -> Double {
        Double(self.next() >> 11) / Double(UInt64(1) << 53)
    }

    /// `count` random letters and digits (job ids, session ids, request ids).
    mutating func alphanumeric(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count { bytes[index] = alphabet[Int(self.next() % UInt64(alphabet.count))] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
