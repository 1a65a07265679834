import Foundation

/// The code, message and request id of an Informatica error answer, from either documented body shape:
/// v2 `{"code", "description", "statusCode", "@type": "error"}` or
/// v3 `{"error": {"code", "message", "requestId", "details"}}`.
/// Other bodies (HTML from a gateway, plain text, nothing) become a short cleaned excerpt.
public struct ErrorDetails: Sendable, Hashable {
    /// The error code, when the body had one.
    public var code: String?
    /// The message, or the excerpt of a non-JSON body.
    public var message: String
    /// The request id (v3 bodies).
    public var requestId: String?

    /// The longest excerpt kept of a body that is not a documented error.
    static let excerptLimit = 200

    /// Creates error details.
    public init(code: String?, message: String, requestId: String?) {
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    /// Parses an error body.
    /// - Parameters:
    ///   - body: The response body bytes.
    ///   - status: The HTTP status, used when the body says nothing.
    public init(body: [UInt8], status: Int) {
        if let value = try? JSONParser.parse(body), let parsed = Self.parse(value) {
            self = parsed
            return
        }
        let excerpt = Self.excerpt(String(decoding: body, as: UTF8.self))
        self.init(code: nil, message: excerpt.isEmpty ? "HTTP \(status) with an empty body" : excerpt, requestId: nil)
    }

    private static func parse(_ value: JSONValue) -> ErrorDetails? {
        if let error = value["error"], error.objectValue != nil {
            let message = error["message"]?.textValue ?? error["description"]?.textValue ?? "no message"
            return ErrorDetails(code: error["code"]?.textValue, message: message, requestId: error["requestId"]?.textValue)
        }
        if value["code"] != nil || value["description"] != nil {
            let message = value["description"]?.textValue ?? value["message"]?.textValue ?? "no message"
            return ErrorDetails(code: value["code"]?.textValue, message: message, requestId: value["requestId"]?.textValue)
        }
        return nil
    }

    /// The text without markup and runs of white space, cut to ``excerptLimit`` characters.
    static func excerpt(_ text: String) -> String {
        var plain = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true; plain.append(" "); continue }
            if character == ">" && inTag { inTag = false; continue }
            if !inTag { plain.append(character.isNewline || character == "\t" ? " " : character) }
        }
        let words = plain.split(whereSeparator: { $0 == " " }).joined(separator: " ")
        let printable = String(words.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return printable.count > Self.excerptLimit ? String(printable.prefix(Self.excerptLimit)) + "…" : printable
    }
}
