import Foundation

extension HTTPSettings {
    /// An HTTP proxy, optionally with basic-authentication credentials. Its description never shows them.
    public struct Proxy: Sendable, Hashable, CustomStringConvertible {
        /// The proxy host.
        public var host: String
        /// The proxy port.
        public var port: Int
        /// The `Proxy-Authorization: Basic` credentials, if the proxy wants them.
        public var credentials: ProxyCredentials?

        /// Creates a proxy setting.
        public init(host: String, port: Int, credentials: ProxyCredentials? = nil) {
            self.host = host
            self.port = port
            self.credentials = credentials
        }

        /// Parses `host:port` or `user:password@host:port`, each optionally written as `http://…` with a
        /// trailing `/`; user and password may be percent-encoded.
        /// - Returns: `nil` for anything else (the caller must not echo the text: it may hold a password).
        public init?(parsing text: String) {
            var address = Substring(text)
            if address.lowercased().hasPrefix("http://") { address = address.dropFirst("http://".count) }
            if address.hasSuffix("/") { address = address.dropLast() }
            var credentials: ProxyCredentials?
            if let at = address.lastIndex(of: "@") {
                guard let parsed = ProxyCredentials(parsing: address[..<at]) else { return nil }
                credentials = parsed
                address = address[address.index(after: at)...]
            }
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
                let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port)
            else { return nil }
            let host = address[..<colon]
            guard !host.contains("/"), !host.contains("@") else { return nil }
            self.init(host: String(host), port: port, credentials: credentials)
        }

        /// `Proxy(host: "…", port: …, credentials: <redacted>)`; `none` without credentials.
        public var description: String {
            "Proxy(host: \"\(self.host)\", port: \(self.port), credentials: \(self.credentials == nil ? "none" : "<redacted>"))"
        }
    }

    /// A proxy's basic-authentication user and password; neither is ever printed.
    public struct ProxyCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        /// The proxy user.
        let username: String
        /// The proxy password.
        let password: Secret

        /// Creates credentials.
        public init(username: String, password: Secret) {
            self.username = username
            self.password = password
        }

        /// Parses `user:password` (percent-encoding allowed); `nil` without a colon or with an empty user.
        public init?(parsing text: some StringProtocol) {
            guard let colon = text.firstIndex(of: ":"),
                let username = String(text[..<colon]).removingPercentEncoding, !username.isEmpty,
                let password = String(text[text.index(after: colon)...]).removingPercentEncoding
            else { return nil }
            self.init(username: username, password: Secret(password))
        }

        /// Reads `user:password` from the first line of a file (a mounted secret).
        /// - Throws: ``ConfigurationError`` naming the file (never its content) when it cannot be read or parsed.
        public init(file path: String) throws(ConfigurationError) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(setting: "http.proxy.credentials", message: "cannot read the file \"\(path)\"")
            }
            let line = text.split(whereSeparator: \.isNewline).first ?? ""
            guard let parsed = Self(parsing: line) else {
                throw ConfigurationError(setting: "http.proxy.credentials", message: "the file \"\(path)\" must hold user:password")
            }
            self = parsed
        }

        /// Always `<redacted>`.
        public var description: String { "<redacted>" }
        /// Always `<redacted>`.
        public var debugDescription: String { "<redacted>" }
        /// An empty mirror, so `dump(_:)` shows nothing.
        public var customMirror: Mirror { Mirror(self, children: []) }
    }
}
