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
        let fields = try Self.readFields(members)
        let requestId = try self.requestId(fields.requestId, source: source)
        let codeTaskId = try self.codeTaskId(fields.codeTaskId, requestId: requestId)
        let contextJSON = try self.context(fields.context, codeTaskId: codeTaskId, requestId: requestId)
        let traceparent = message.headers.last(named: "traceparent")
        if let traceparent, !InformaticaClient.isValidTraceparent(traceparent) {
            throw RequestRejection(
                .invalidTraceparent, "the traceparent header is not printable ASCII", codeTaskId: codeTaskId,
                requestId: requestId)
        }
        return StartRequest(
            requestId: requestId,
            codeTaskId: codeTaskId,
            orderingKey: Self.orderingKey(message.key) ?? codeTaskId,
            contextJSON: contextJSON,
            traceparent: traceparent.flatMap { $0.isEmpty ? nil : $0 },
            source: source
        )
    }

    /// The three fields the worker reads; a repeated one makes the record ambiguous.
    private struct Fields {
        var codeTaskId: JSONParser.Member?
        var requestId: JSONParser.Member?
        var context: JSONParser.Member?
    }

    private static func readFields(_ members: [JSONParser.Member]) throws(RequestRejection) -> Fields {
        var fields = Fields()
        for member in members {
            let slot: WritableKeyPath<Fields, JSONParser.Member?>
            switch member.name {
            case "codeTaskId": slot = \.codeTaskId
            case "requestId": slot = \.requestId
            case "context": slot = \.context
            default: continue
            }
            guard fields[keyPath: slot] == nil else {
                throw RequestRejection(.duplicateField, "the field \(member.name) appears more than once")
            }
            fields[keyPath: slot] = member
        }
        return fields
    }

    private func requestId(_ member: JSONParser.Member?, source: RecordSource) throws(RequestRejection) -> String {
        guard let member, member.value != .null else { return source.description }
        guard let id = member.value.stringValue, !id.isEmpty, id.count <= self.limits.maxRequestIdLength,
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RequestRejection(
                .invalidRequestId,
                "requestId must be a non-empty string of at most \(self.limits.maxRequestIdLength) characters without control characters"
            )
        }
        return id
    }

    private func codeTaskId(_ member: JSONParser.Member?, requestId: String) throws(RequestRejection) -> String {
        guard let member, member.value != .null else {
            throw RequestRejection(.missingCodeTaskId, "the record has no codeTaskId", requestId: requestId)
        }
        let id: String
        switch member.value {
        case .string(let text): id = text
        case .integer(let number): id = String(number)
        default:
            throw RequestRejection(
                .invalidCodeTaskId, "codeTaskId must be a string or an integer", requestId: requestId)
        }
        guard self.limits.isValidCodeTaskId(id) else {
            throw RequestRejection(
                .invalidCodeTaskId,
                "codeTaskId must be 1 to \(self.limits.maxCodeTaskIdLength) characters from A-Z a-z 0-9 . _ : -",
                requestId: requestId
            )
        }
        return id
    }

    private func context(_ member: JSONParser.Member?, codeTaskId: String, requestId: String) throws(RequestRejection)
        -> String?
    {
        guard let member, member.value != .null else { return nil }
        guard member.value.objectValue != nil, member.raw.count <= self.limits.maxContextBytes else {
            throw RequestRejection(
                .invalidContext, "context must be an object of at most \(self.limits.maxContextBytes) bytes",
                codeTaskId: codeTaskId, requestId: requestId)
        }
        return String(decoding: member.raw, as: UTF8.self)
    }

    /// The record key as text (hex when it is not UTF-8); `nil` when absent or empty.
    private static func orderingKey(_ key: [UInt8]?) -> String? {
        guard let key, !key.isEmpty else { return nil }
        if let text = String(validating: key, as: UTF8.self) { return text }
        return key.map { String($0, radix: 16) }.joined()
    }
}
