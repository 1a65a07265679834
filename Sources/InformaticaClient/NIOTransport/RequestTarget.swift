/// Where a request goes: the connection pool key and the request's path, parsed from an absolute
/// `http` or `https` URL without Foundation (it runs once per request).
struct RequestTarget: Sendable, Hashable {
    /// The origin a pooled connection serves.
    struct Origin: Sendable, Hashable {
        /// Whether connections use TLS.
        var secure: Bool
        /// The host name or IP address, without IPv6 brackets.
        var host: String
        /// The TCP port.
        var port: Int

        /// The `Host` header value (and the CONNECT authority): brackets around IPv6, the port unless it is the default.
        var authority: String {
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            return self.port == (self.secure ? 443 : 80) ? host : "\(host):\(self.port)"
        }

        /// `host:port` for a CONNECT request line (the port always present).
        var tunnelAuthority: String {
            (self.host.contains(":") ? "[\(self.host)]" : self.host) + ":\(self.port)"
        }

        /// Whether ``host`` is an IPv4 or IPv6 literal (never sent as TLS server name).
        var hostIsIPAddress: Bool {
            self.host.contains(":") || self.host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= 48 && $0 <= 57) }
        }
    }

    /// The origin.
    var origin: Origin
    /// The path and query, at least `/`.
    var path: String

    /// Parses `scheme://host[:port][/path][?query]`; a fragment is dropped.
    /// - Throws: ``TransportError`` (`connection_error`) for anything else.
    init(url: String) throws(TransportError) {
        let secure: Bool
        var rest: Substring
        if let range = url.range(of: "://") {
            switch url[..<range.lowerBound].lowercased() {
            case "http": secure = false
            case "https": secure = true
            default: throw TransportError.connection("unsupported URL scheme in \(Self.excerpt(url))")
            }
            rest = url[range.upperBound...]
        } else {
            throw TransportError.connection("not an absolute URL: \(Self.excerpt(url))")
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<pathStart]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw TransportError.connection("no host in \(Self.excerpt(url))") }
        var port = secure ? 443 : 80
        if let portText, !portText.isEmpty {
            guard let parsed = Int(portText), (1...65_535).contains(parsed) else {
                throw TransportError.connection("invalid port in \(Self.excerpt(url))")
            }
            port = parsed
        }
        let path = rest[pathStart...]
        self.origin = Origin(secure: secure, host: String(host), port: port)
        self.path = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
    }

    /// The absolute URI of the target, for requests sent through an HTTP proxy.
    var absoluteURI: String {
        (self.origin.secure ? "https://" : "http://") + self.origin.authority + self.path
    }

    private static func excerpt(_ url: String) -> String {
        url.count > 80 ? String(url.prefix(80)) + "…" : url
    }
}
