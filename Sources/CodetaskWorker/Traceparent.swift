/// The W3C Trace Context `traceparent` shape the worker accepts on an input record and passes on.
///
/// `<version>-<trace-id>-<parent-id>-<flags>`: 2, 32, 16 and 2 lower-case hex digits; the version is not `ff`,
/// neither id is all zeros. Version `00` is exactly 55 characters; a later version may append `-<more>`, up to
/// ``maxLength`` characters of printable ASCII in all.
public enum Traceparent {
    /// The longest `traceparent` accepted, in bytes.
    public static let maxLength = 256

    /// Whether `bytes` is a `traceparent` of the W3C shape.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        let text = Array(bytes)
        guard text.count >= 55, text.count <= Self.maxLength else { return false }
        guard text[2] == dash, text[35] == dash, text[52] == dash else { return false }
        let version = text[0..<2], traceId = text[3..<35], parentId = text[36..<52], flags = text[53..<55]
        guard [version, traceId, parentId, flags].allSatisfy({ $0.allSatisfy(Self.isLowerHex) }) else { return false }
        guard version != [0x66, 0x66], traceId.contains(where: { $0 != zero }), parentId.contains(where: { $0 != zero })
        else { return false }
        if text.count == 55 { return true }
        // Only a later version may carry more, after a dash, in printable ASCII.
        return version != [zero, zero] && text[55] == dash && text[56...].allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static let dash = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
