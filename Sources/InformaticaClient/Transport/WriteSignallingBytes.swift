/// A request body that calls back the first time its bytes are read. AsyncHTTPClient reads the body only
/// after the request's head was written to the connection, so the call marks the moment the request may
/// have reached the service: before it, a failure means the request was never sent.
struct WriteSignallingBytes: RandomAccessCollection, Sendable {
    typealias Index = Int
    typealias Element = UInt8
    typealias SubSequence = ArraySlice<UInt8>
    typealias Indices = Range<Int>
    typealias Iterator = IndexingIterator<[UInt8]>

    private let bytes: [UInt8]
    private let onRead: @Sendable () -> Void

    /// - Parameters:
    ///   - bytes: The body.
    ///   - onRead: Called on every read of the content (the receiver keeps only the first).
    init(_ bytes: [UInt8], onRead: @escaping @Sendable () -> Void) {
        self.bytes = bytes
        self.onRead = onRead
    }

    var startIndex: Int { self.bytes.startIndex }
    var endIndex: Int { self.bytes.endIndex }
    var indices: Range<Int> { self.bytes.indices }

    subscript(position: Int) -> UInt8 {
        self.onRead()
        return self.bytes[position]
    }

    subscript(bounds: Range<Int>) -> ArraySlice<UInt8> {
        self.onRead()
        return self.bytes[bounds]
    }

    func makeIterator() -> IndexingIterator<[UInt8]> {
        self.onRead()
        return self.bytes.makeIterator()
    }

    func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        self.onRead()
        return try self.bytes.withContiguousStorageIfAvailable(body)
    }
}
