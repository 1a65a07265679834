import ArgumentParser
import CodetaskWorker
import InformaticaClient

extension RunOptions {
    /// The HTTP proxy for Informatica calls, when one is given, with its credentials from the value
    /// (`user:password@host:port`) or from a file (`user:password`; the file wins).
    /// - Throws: `ValidationError` naming the flag; the value is never echoed, as it may carry a password.
    func applyProxy(_ source: SettingSource, to configuration: inout WorkerConfiguration) throws {
        let credentialsFile = source.string(self.httpProxyCredentialsFile, env: "CODETASK_HTTP_PROXY_CREDENTIALS_FILE")
        guard let text = source.string(self.httpProxy, env: "CODETASK_HTTP_PROXY") else {
            if credentialsFile != nil {
                throw ValidationError("--http-proxy-credentials-file / CODETASK_HTTP_PROXY_CREDENTIALS_FILE: needs --http-proxy")
            }
            return
        }
        guard var proxy = HTTPSettings.Proxy(parsing: text) else {
            throw ValidationError("--http-proxy / CODETASK_HTTP_PROXY: give [user:password@]host:port (the value is not shown)")
        }
        if let credentialsFile {
            do {
                proxy.credentials = try HTTPSettings.ProxyCredentials(file: credentialsFile)
            } catch {
                throw ValidationError("--http-proxy-credentials-file / CODETASK_HTTP_PROXY_CREDENTIALS_FILE: \(error.message)")
            }
        }
        configuration.informatica.http.proxy = proxy
    }
}
