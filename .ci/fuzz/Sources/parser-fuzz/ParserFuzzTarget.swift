import CFuzzerDriver
import CodetaskWorker
import InformaticaClient
import Kafka

/// The executable's entry point: SwiftPM links `main` to `parser_fuzz_main` (so libFuzzer's own `main` is not
/// used); it runs libFuzzer's driver, with the command line, on ``parserFuzzTarget(_:_:)``.
@_cdecl("parser_fuzz_main")
public func parserFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in parserFuzzTarget(data, size) }
}

/// libFuzzer's entry point: one input through the JSON parser and the request parser, with their contracts
/// checked (a breach stops the run like a crash).
///
/// The input is a record value; when it holds a NUL byte, the bytes after the last NUL are instead the value of
/// a `traceparent` header (so the seed corpus, plain JSON, is a set of record values). Each record is parsed
/// with the default limits and with small ones, whose boundaries short inputs can reach.
@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    ParserContracts.checkJSON(input)
    var value = input[...]
    var headers: [KafkaHeader] = []
    if let nul = input.lastIndex(of: 0) {
        value = input[..<nul]
        headers = [KafkaHeader(name: "traceparent", value: Array(input[(nul + 1)...]))]
    }
    let message = KafkaMessage(
        topicPartition: TopicPartition(topic: "fuzz", partition: 0), offset: 0, key: nil, value: Array(value), headers: headers)
    for limits in ParserContracts.limits {
        ParserContracts.checkRequest(message, limits: limits)
    }
    return 0
}

/// The properties every parse must have.
enum ParserContracts {
    /// The default limits, and small ones that short inputs can cross.
    static let limits: [RequestLimits] = {
        var small = RequestLimits()
        small.maxRecordBytes = 512
        small.maxContextBytes = 64
        small.maxRequestIdLength = 8
        small.maxCodeTaskIdLength = 8
        return [RequestLimits(), small]
    }()

    /// `parse` and `parseMembers` agree: both fail or neither, and members exactly for an object.
    static func checkJSON(_ bytes: [UInt8]) {
        let whole = Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes) }
        let members = Result { () throws(JSONParser.Failure) in try JSONParser.parseMembers(bytes) }
        switch (whole, members) {
        case (.success(let value), .success(let members)):
            require((value.objectValue != nil) == (members != nil), "parse and parseMembers disagree on an object")
            if let members, let object = value.objectValue {
                require(Set(members.map(\.name)) == Set(object.keys), "parseMembers and parse see different names")
                for member in members {
                    let raw = Result { () throws(JSONParser.Failure) in try JSONParser.parse(Array(member.raw)) }
                    require((try? raw.get()) == member.value, "a member's raw bytes do not parse to its value")
                }
            }
        case (.failure, .failure):
            break
        default:
            require(false, "parse and parseMembers disagree on whether the document is JSON")
        }
    }

    /// An accepted request respects every limit and shape; a rejection has a message and the right reason
    /// for the checks that come first (size, UTF-8).
    static func checkRequest(_ message: KafkaMessage, limits: RequestLimits) {
        switch RequestParser(limits: limits).parse(message) {
        case .success(let request):
            require(message.value.count <= limits.maxRecordBytes, "accepted a record over the limit")
            require(String(validating: message.value, as: UTF8.self) != nil, "accepted invalid UTF-8")
            require(limits.isValidCodeTaskId(request.codeTaskId), "accepted code task id \(request.codeTaskId.debugDescription)")
            require(!request.requestId.isEmpty, "accepted an empty request id")
            require(request.requestId.unicodeScalars.count <= limits.maxRequestIdLength || request.requestId == "fuzz/0/0",
                    "accepted a request id over the limit")
            require(!request.requestId.unicodeScalars.contains { $0.properties.generalCategory == .control },
                    "accepted a request id with a control character")
            if let context = request.contextJSON {
                require(context.utf8.count <= limits.maxContextBytes, "accepted a context over the limit")
                require((try? JSONParser.parse(Array(context.utf8)))?.objectValue != nil, "accepted a context that is not an object")
            }
            if let trace = request.traceparent { require(Traceparent.isValid(Array(trace.utf8)), "accepted traceparent \(trace)") }
        case .failure(let rejection):
            require(!rejection.message.isEmpty, "a rejection without a message")
            if message.value.count > limits.maxRecordBytes {
                require(rejection.reason == .tooLarge, "a record over the limit rejected as \(rejection.reason)")
            } else if String(validating: message.value, as: UTF8.self) == nil {
                require(rejection.reason == .invalidUTF8, "invalid UTF-8 rejected as \(rejection.reason)")
            }
            if let id = rejection.codeTaskId { require(limits.isValidCodeTaskId(id), "a rejection carries code task id \(id.debugDescription)") }
        }
    }

    /// Stops the process (libFuzzer reports a crash and keeps the input) when `condition` does not hold.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("parser contract broken: \(message())") }
    }
}
