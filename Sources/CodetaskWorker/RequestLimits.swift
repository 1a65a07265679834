/// The bounds an input record must respect to be a valid request.
public struct RequestLimits: Sendable, Hashable {
    /// The largest record value accepted, in bytes. Default 64 KiB.
    public var maxRecordBytes: Int = 64 * 1024
    /// The largest `context` object, in bytes as written. Default 16 KiB.
    public var maxContextBytes: Int = 16 * 1024
    /// The longest `requestId`, in Unicode scalars (not grapheme clusters: one "character" can hold any number of
    /// scalars). Default 128.
    public var maxRequestIdLength: Int = 128
    /// The longest code task id, in characters (always ASCII, so also bytes). Default 128.
    public var maxCodeTaskIdLength: Int = 128

    /// The defaults.
    public init() {}

    /// Whether `id` is a code task id the worker will send: 1 to ``maxCodeTaskIdLength`` characters from
    /// `A–Z a–z 0–9 . _ : -`. Nothing else from a message ever reaches the HTTP request.
    public func isValidCodeTaskId(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= self.maxCodeTaskIdLength else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
