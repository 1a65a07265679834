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
            let host = self.host.utf8.contains(UInt8(ascii: ":")) ? "[\(self.host)]" : self.host
            return self.port == (self.secure ? 443 : 80) ? host : "\(host):\(self.port)"
        }

        /// `host:port` for a CONNECT request line (the port always present).
        var tunnelAuthority: String {
            (self.host.utf8.contains(UInt8(ascii: ":")) ? "[\(self.host)]" : self.host) + ":\(self.port)"
        }

        /// Whether ``host`` is an IPv4 or IPv6 literal (never sent as TLS server name).
        var hostIsIPAddress: Bool {
            self.host.utf8.contains(UInt8(ascii: ":")) || self.host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= 48 && $0 <= 57) }
        }
    }

    /// The origin.
    var origin: Origin
    /// The path and query, at least `/`.
    var path: String

    /// Parses `scheme://host[:port][/path][?query]`; userinfo and a fragment are dropped.
    /// - Throws: ``TransportError`` (`connection_error`) for anything else.
    init(url: String) throws(TransportError) {
        // Scans the UTF-8 bytes: Foundation's string searching costs more than the whole parse.
        var url = url
        let parsed = url.withUTF8 { Self.parse($0) }
        guard let parsed else { throw TransportError.connection("not an absolute http(s) URL: \(Self.excerpt(url))") }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> RequestTarget? {
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        guard let schemeEnd = bytes.firstIndex(of: colon), schemeEnd + 2 < bytes.count,
            bytes[schemeEnd + 1] == slash, bytes[schemeEnd + 2] == slash
        else { return nil }
        let scheme = String(decoding: bytes[..<schemeEnd], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let secure = scheme == "https"
        var end = bytes.endIndex
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { end = hash }
        let authorityStart = schemeEnd + 3
        let pathStart = bytes[authorityStart..<end].firstIndex { $0 == slash || $0 == UInt8(ascii: "?") } ?? end
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<pathStart].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var hostEnd = pathStart
        var portStart: Int?
        if hostStart < pathStart, bytes[hostStart] == UInt8(ascii: "[") {
            guard let close = bytes[hostStart..<pathStart].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            if close + 1 < pathStart {
                guard bytes[close + 1] == colon else { return nil }
                portStart = close + 2
            }
            hostStart += 1
            hostEnd = close
        } else if let portColon = bytes[hostStart..<pathStart].lastIndex(of: colon) {
            hostEnd = portColon
            portStart = portColon + 1
        }
        guard hostStart < hostEnd else { return nil }
        var port = secure ? 443 : 80
        if let portStart, portStart < pathStart {
            guard pathStart - portStart <= 5, let value = Int(String(decoding: bytes[portStart..<pathStart], as: UTF8.self)),
                (1...65_535).contains(value)
            else { return nil }
            port = value
        }
        let path = String(decoding: bytes[pathStart..<end], as: UTF8.self)
        return RequestTarget(
            origin: Origin(secure: secure, host: String(decoding: bytes[hostStart..<hostEnd], as: UTF8.self), port: port),
            path: path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : path)
        )
    }

    private init(origin: Origin, path: String) {
        self.origin = origin
        self.path = path
    }

    /// The absolute URI of the target, for requests sent through an HTTP proxy.
    var absoluteURI: String {
        (self.origin.secure ? "https://" : "http://") + self.origin.authority + self.path
    }

    private static func excerpt(_ url: String) -> String {
        url.count > 80 ? String(url.prefix(80)) + "…" : url
    }
}
