import Foundation
import Testing

@testable import InformaticaClient

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("host:port and user:password@host:port parse, with or without http:// and percent-encoding")
    func parsing() {
        #expect(HTTPSettings.Proxy(parsing: "proxy.internal:3128") == HTTPSettings.Proxy(host: "proxy.internal", port: 3128))
        #expect(HTTPSettings.Proxy(parsing: "http://proxy.internal:3128/") == HTTPSettings.Proxy(host: "proxy.internal", port: 3128))
        let withCredentials = HTTPSettings.Proxy(parsing: "http://svc:p%40ss:w@rd@proxy:8080")
        #expect(withCredentials?.host == "proxy" && withCredentials?.port == 8080)
        #expect(withCredentials?.credentials == HTTPSettings.ProxyCredentials(username: "svc", password: "p@ss:w@rd"))
        for bad in ["proxy", "proxy:0", "proxy:99999", ":3128", "svc@proxy:3128", ":pw@proxy:3128", "proxy/x:3128", "https://proxy:443"] {
            #expect(HTTPSettings.Proxy(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("credentials never show in descriptions, dumps or configuration errors")
    func redaction() throws {
        let password = "pw-\(UUID().uuidString)"
        let proxy = try #require(HTTPSettings.Proxy(parsing: "proxy-user:\(password)@proxy.internal:3128"))
        var dumped = ""
        dump(proxy, to: &dumped)
        var settings = HTTPSettings()
        settings.proxy = proxy
        for text in [proxy.description, String(reflecting: proxy), "\(settings)", dumped, "\(proxy.credentials!)"] {
            #expect(!text.contains(password) && !text.contains("proxy-user"), "\(text)")
        }
        #expect(proxy.description == #"Proxy(host: "proxy.internal", port: 3128, credentials: <redacted>)"#)
    }

    @Test("a credentials file holds user:password on its first line; a bad file is named, its content never shown")
    func credentialsFile() throws {
        let password = "pw-\(UUID().uuidString)"
        let path = NSTemporaryDirectory() + "/proxy-\(UUID().uuidString)"
        try "svc:\(password)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try HTTPSettings.ProxyCredentials(file: path) == HTTPSettings.ProxyCredentials(username: "svc", password: Secret(password)))
        try "\(password)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) { try HTTPSettings.ProxyCredentials(file: path) }
        #expect(error.map { $0.description.contains(path) && !$0.description.contains(password) } == true)
        #expect(throws: ConfigurationError.self) { try HTTPSettings.ProxyCredentials(file: path + "-missing") }
    }
}
