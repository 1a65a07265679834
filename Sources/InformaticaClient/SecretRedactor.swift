/// Removes known secrets (the password, the current and previous session ids) from text that came from
/// Informatica before it goes into a failure, an event or a log: a service that echoes the session id in
/// an error message must not leak it.
struct SecretRedactor: Sendable {
    /// What replaces each secret.
    static let replacement = "<redacted>"

    /// The secret values, longest first (so that a secret containing another is removed whole).
    private let secrets: [String]

    /// - Parameter secrets: The secrets; empty ones are ignored.
    init(secrets: [Secret]) {
        self.secrets = secrets.map(\.value).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// `text` with every occurrence of a secret replaced by ``replacement``.
    func callAsFunction(_ text: String) -> String {
        var result = text
        for secret in self.secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.replacement)
        }
        return result
    }

    /// `bytes` with every occurrence of a secret's UTF-8 bytes replaced by ``replacement``'s. In a JSON
    /// document a secret can only appear inside a string (a session id or password with a quote or a
    /// backslash would be escaped, and would not match), so the result stays valid JSON.
    func callAsFunction(bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for secret in self.secrets {
            let needle = Array(secret.utf8)
            guard result.count >= needle.count, let first = needle.first else { continue }
            var output: [UInt8] = []
            var index = 0
            var replaced = false
            while index < result.count {
                if result[index] == first, index + needle.count <= result.count, result[index..<(index + needle.count)].elementsEqual(needle) {
                    output.append(contentsOf: Self.replacement.utf8)
                    index += needle.count
                    replaced = true
                } else {
                    output.append(result[index])
                    index += 1
                }
            }
            if replaced { result = output }
        }
        return result
    }

    /// `details` with its code, message and request id redacted.
    func callAsFunction(_ details: ErrorDetails) -> ErrorDetails {
        ErrorDetails(code: details.code.map { self($0) }, message: self(details.message), requestId: details.requestId.map { self($0) })
    }
}
