import InformaticaClient

/// The `--http-proxy` value: `host:port`, also written `http://host:port`.
enum HTTPProxyAddress {
    /// The proxy; `nil` for anything else, credentials included.
    static func parse(_ text: String) -> HTTPSettings.Proxy? {
        var address = Substring(text)
        if address.hasPrefix("http://") { address = address.dropFirst("http://".count) }
        if address.hasSuffix("/") { address = address.dropLast() }
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
              let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port)
        else { return nil }
        let host = address[..<colon]
        guard !host.contains("@"), !host.contains("/") else { return nil }
        return HTTPSettings.Proxy(host: String(host), port: port)
    }
}
