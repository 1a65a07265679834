import Foundation
import InformaticaClient
import Logging

/// Writes each log record as one JSON object on one line of standard error:
/// `{"time":"2026-12-01T01:02:03.456Z","level":"info","logger":"codetask-worker","message":"...", <metadata>}`.
/// Metadata keys keep their dotted names (`kafka.partition`, `codetask.request_id`); nested values become
/// JSON arrays and objects. No JSON logging handler is in the package set we build from, so this one is ours.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        FileHandle.standardError.write(Data((Self.line(
            time: Date(), level: level, label: self.label, message: message.description,
            metadata: self.metadata.merging(explicit ?? [:]) { $1 }) + "\n").utf8))
    }

    /// One record's JSON text (without the newline).
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var text = "{"
        Self.member("time", time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)), into: &text)
        text += ","
        Self.member("level", level.rawValue, into: &text)
        text += ","
        Self.member("logger", label, into: &text)
        text += ","
        Self.member("message", message, into: &text)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["time", "level", "logger", "message"].contains(key) {
            text += ","
            JSONValue.quote(key, into: &text)
            text += ":"
            Self.write(value, into: &text)
        }
        return text + "}"
    }

    private static func member(_ name: String, _ value: String, into text: inout String) {
        JSONValue.quote(name, into: &text)
        text += ":"
        JSONValue.quote(value, into: &text)
    }

    private static func write(_ value: Logger.Metadata.Value, into text: inout String) {
        switch value {
        case .string(let string):
            JSONValue.quote(string, into: &text)
        case .stringConvertible(let convertible):
            JSONValue.quote(convertible.description, into: &text)
        case .array(let values):
            text += "["
            for (index, element) in values.enumerated() {
                if index > 0 { text += "," }
                Self.write(element, into: &text)
            }
            text += "]"
        case .dictionary(let dictionary):
            text += "{"
            for (index, (key, element)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { text += "," }
                JSONValue.quote(key, into: &text)
                text += ":"
                Self.write(element, into: &text)
            }
            text += "}"
        }
    }
}
