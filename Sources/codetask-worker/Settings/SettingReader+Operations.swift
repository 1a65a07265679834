import ArgumentParser
import OperationsEndpoint

/// The operations settings: the endpoint's address, the log format and the trace exporter.
extension SettingReader {
    /// Where the operations endpoint listens; `nil` when it is off.
    func operationsAddress() throws -> OperationsEndpoint.Address? {
        guard let text = try self.text(Settings.httpAddress) else { return OperationsEndpoint.Address("127.0.0.1:9464") }
        if text == "off" { return nil }
        guard let address = OperationsEndpoint.Address(text) else {
            throw ValidationError("\(Settings.httpAddress.names): '\(text.prefix(64))' is not host:port or off")
        }
        return address
    }

    /// The log line format (text on a terminal, JSON otherwise, unless set).
    func logFormat() throws -> LogSetup.Format {
        guard let text = try self.text(Settings.logFormat) else { return .automatic }
        guard let format = LogSetup.Format(rawValue: text) else {
            throw ValidationError("\(Settings.logFormat.names): '\(text.prefix(64))' is not json or text")
        }
        return format
    }

    /// The OTLP/HTTP endpoint for traces, when set.
    func otlpEndpoint() throws -> String? {
        try self.text(Settings.otlpEndpoint)
    }
}
