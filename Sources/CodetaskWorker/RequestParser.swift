import InformaticaClient
public import Kafka

/// Turns an input record into a ``StartRequest`` or says exactly why it cannot be one.
public struct RequestParser: Sendable {
    /// The bounds applied.
    public var limits: RequestLimits

    /// Creates a parser with these bounds.
    public init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    /// Parses and validates one record. Unknown fields are ignored.
    public func parse(_ message: KafkaMessage) -> Result<StartRequest, RequestRejection> {
        Result { () throws(RequestRejection) in try self.request(from: message) }
    }

    private func request(from message: KafkaMessage) throws(RequestRejection) -> StartRequest {
        let source = RecordSource(message)
        guard !message.isTombstone else {
            throw RequestRejection(.tombstone, "the record value is null (a tombstone), not a request")
        }
        guard message.value.count <= self.limits.maxRecordBytes else {
            throw RequestRejection(
                .tooLarge, "the record is \(message.value.count) bytes; the limit is \(self.limits.maxRecordBytes)")
        }
        guard String(validating: message.value, as: UTF8.self) != nil else {
            throw RequestRejection(.invalidUTF8, "the record value is not valid UTF-8")
        }
        let parsed: [JSONParser.Member]?
        do {
            parsed = try JSONParser.parseMembers(message.value)
        } catch {
            throw RequestRejection(.notJSON, "the record value is not JSON: \(error)")
        }
        guard let members = parsed else {
            throw RequestRejection(.notAnObject, "the record value is JSON but not an object")
        }
        let fields = Self.readFields(members)
        // Each id is read on its own, so a rejection for one still carries the other (for the failed event).
        let codeTaskId = Result { () throws(RequestRejection) in try self.codeTaskId(fields) }
        let requestId = Result { () throws(RequestRejection) in try self.requestId(fields, source: source) }
        func rejection(_ reason: RequestRejection.Reason, _ text: String) -> RequestRejection {
            RequestRejection(reason, text, codeTaskId: try? codeTaskId.get(), requestId: try? requestId.get())
        }
        if let repeated = fields.repeated {
            throw rejection(.duplicateField, "the field \(repeated) appears more than once")
        }
        if case .failure(let failure) = codeTaskId { throw rejection(failure.reason, failure.message) }
        if case .failure(let failure) = requestId { throw rejection(failure.reason, failure.message) }
        let contextJSON = try self.context(fields.context, reject: rejection)
        let traceparent = try Self.traceparent(message.headers, reject: rejection)
        let id = try codeTaskId.get()
        return StartRequest(
            requestId: try requestId.get(),
            codeTaskId: id,
            orderingKey: Self.orderingKey(message.key) ?? id,
            contextJSON: contextJSON,
            traceparent: traceparent,
            source: source
        )
    }

    /// The three fields the worker reads; a repeated one makes the record ambiguous.
    private struct Fields {
        var codeTaskId: JSONParser.Member?
        var requestId: JSONParser.Member?
        var context: JSONParser.Member?
        /// The first field the worker reads that appears more than once (the first occurrence is kept above).
        var repeated: String?
    }

    private static func readFields(_ members: [JSONParser.Member]) -> Fields {
        var fields = Fields()
        for member in members {
            let slot: WritableKeyPath<Fields, JSONParser.Member?>
            switch member.name {
            case "codeTaskId": slot = \.codeTaskId
            case "requestId": slot = \.requestId
            case "context": slot = \.context
            default: continue
            }
            if fields[keyPath: slot] == nil {
                fields[keyPath: slot] = member
            } else if fields.repeated == nil {
                fields.repeated = member.name
            }
        }
        return fields
    }

    /// The request id, or the record's position when there is none. Its length counts Unicode scalars.
    private func requestId(_ fields: Fields, source: RecordSource) throws(RequestRejection) -> String {
        guard fields.repeated != "requestId" else {
            throw RequestRejection(.duplicateField, "the field requestId appears more than once")
        }
        guard let member = fields.requestId, member.value != .null else { return source.description }
        guard let id = member.value.stringValue, !id.isEmpty, id.unicodeScalars.count <= self.limits.maxRequestIdLength,
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RequestRejection(
                .invalidRequestId,
                "requestId must be a non-empty string of at most \(self.limits.maxRequestIdLength) Unicode scalars without control characters"
            )
        }
        return id
    }

    private func codeTaskId(_ fields: Fields) throws(RequestRejection) -> String {
        guard fields.repeated != "codeTaskId" else {
            throw RequestRejection(.duplicateField, "the field codeTaskId appears more than once")
        }
        guard let member = fields.codeTaskId, member.value != .null else {
            throw RequestRejection(.missingCodeTaskId, "the record has no codeTaskId")
        }
        let id: String
        switch member.value {
        case .string(let text): id = text
        case .integer(let number): id = String(number)
        default:
            throw RequestRejection(.invalidCodeTaskId, "codeTaskId must be a string or an integer")
        }
        guard self.limits.isValidCodeTaskId(id) else {
            throw RequestRejection(
                .invalidCodeTaskId,
                "codeTaskId must be 1 to \(self.limits.maxCodeTaskIdLength) characters from A-Z a-z 0-9 . _ : -")
        }
        return id
    }

    /// Builds a rejection that carries whichever ids could be read.
    private typealias Reject = (RequestRejection.Reason, String) -> RequestRejection

    /// The context object's text, byte for byte; `nil` when absent or null.
    private func context(_ member: JSONParser.Member?, reject: Reject) throws(RequestRejection) -> String? {
        guard let member, member.value != .null else { return nil }
        guard member.value.objectValue != nil, member.raw.count <= self.limits.maxContextBytes else {
            throw reject(.invalidContext, "context must be an object of at most \(self.limits.maxContextBytes) bytes")
        }
        return String(decoding: member.raw, as: UTF8.self)
    }

    /// The last `traceparent` header (Kafka allows repeats; the last one wins, valid or not): `nil` when there is
    /// none or its value is empty or null, else it must have the W3C shape (``Traceparent``).
    private static func traceparent(_ headers: [KafkaHeader], reject: Reject) throws(RequestRejection) -> String? {
        guard let header = headers.last(where: { $0.name == "traceparent" }), let value = header.value, !value.isEmpty
        else { return nil }
        guard Traceparent.isValid(value), let text = String(validating: value, as: UTF8.self) else {
            throw reject(
                .invalidTraceparent,
                "the traceparent header (\(value.count) bytes) is not a W3C trace context 00-<32 hex>-<16 hex>-<2 hex>")
        }
        return text
    }

    /// The record key as text (hex when it is not UTF-8); `nil` when absent or empty.
    private static func orderingKey(_ key: [UInt8]?) -> String? {
        guard let key, !key.isEmpty else { return nil }
        if let text = String(validating: key, as: UTF8.self) { return text }
        return key.map { String($0, radix: 16) }.joined()
    }
}
