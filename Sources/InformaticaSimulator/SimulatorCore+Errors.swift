import NIOHTTP1

extension SimulatorCore {
    /// An error answer in the given body shape; v3 bodies carry a fresh 22-character request id.
    func error(
        _ status: HTTPResponseStatus,
        code: String,
        message: String,
        style: SimulatorConfiguration.ErrorStyle,
        headers: [(String, String)] = []
    ) -> SimResponse {
        switch style {
        case .v2:
            return .json(
                status,
                .object([
                    ("code", .string(code)), ("description", .string(message)),
                    ("statusCode", .int(Int(status.code))), ("@type", .string("error")),
                ]),
                headers: headers
            )
        case .v3:
            let requestId = self.state.withLock { $0.ids.alphanumeric(22) }
            return .json(
                status,
                .object([
                    (
                        "error",
                        .object([
                            ("code", .string(code)), ("message", .string(message)),
                            ("requestId", .string(requestId)), ("details", .null),
                        ])
                    )
                ]),
                headers: headers
            )
        }
    }

    /// An injected failure with the body a real deployment shows for that status:
    /// an HTML page for 502, nothing for 504, an error document otherwise.
    func injected(status code: Int, retryAfterSeconds: Int?) -> SimResponse {
        let status = HTTPResponseStatus(statusCode: code)
        let headers = retryAfterSeconds.map { [("Retry-After", String($0))] } ?? []
        switch code {
        case 502:
            let page =
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
            return SimResponse(status: status, headers: [("Content-Type", "text/html")] + headers, body: Array(page.utf8))
        case 504:
            return SimResponse(status: status, headers: headers)
        case 429:
            return self.error(
                status,
                code: "RATE_LIMIT",
                message: "Too many requests. Try again later.",
                style: self.configuration.errorStyle,
                headers: headers
            )
        case 404:
            return self.error(
                status,
                code: "CT_404",
                message: "Code task not found.",
                style: self.configuration.errorStyle,
                headers: headers
            )
        default:
            return self.error(
                status,
                code: "CT_\(code)",
                message: "Injected failure: \(status.reasonPhrase).",
                style: self.configuration.errorStyle,
                headers: headers
            )
        }
    }
}
