import ArgumentParser
import CodetaskWorker
import Foundation
import Kafka
import Logging

/// `codetask-worker send --code-task-id ID`: produces one well-formed start request to the input topic, so an
/// operator can feed a running worker without writing a producer.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Produce one start request to the input topic.",
        discussion: """
            The request is checked with the worker's own parser before it is sent, so a request it would \
            dead-letter is refused here (exit status 64). Prints the partition and offset once Kafka has \
            acknowledged it. Only the Kafka settings and the input topic are used.
            """
    )

    @OptionGroup var options: RunOptions
    @Option(help: "The code task to start.") var codeTaskId: String
    @Option(help: "The request id (default: <topic>/<partition>/<offset>, chosen by the worker).") var requestId: String?
    @Option(help: "A JSON object passed to the result event byte for byte.") var context: String?
    @Option(help: "The record key, which orders requests (default: none, the code task id orders).") var key: String?
    @Option(help: "A W3C traceparent header for the request.") var traceparent: String?

    func run() async throws {
        let settings = try await self.options.reader()
        let kafka = try settings.kafkaConfiguration()
        let topics = try settings.topics()
        LogSetup.bootstrap(level: try settings.text(Settings.logLevel) == nil ? .warning : settings.logLevel())
        let message = try self.request(topic: topics.input)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: kafka), logger: Logger(label: "codetask-send"))
        do {
            let report = try await producer.send(message)
            print("send: request for code task \(self.codeTaskId) written to \(topics.input) partition \(report.topicPartition.partition) offset \(report.offset)")
            await producer.close(timeout: .seconds(5))
        } catch {
            print("send: FAILED: \(error)")
            await producer.close(timeout: .seconds(5))
            throw ExitCode(1)
        }
    }

    /// The request record, checked with the worker's parser.
    /// - Throws: `ValidationError` naming what the worker would refuse.
    func request(topic: String) throws -> KafkaOutgoingMessage {
        var fields = ["\"codeTaskId\":" + Self.jsonString(self.codeTaskId)]
        if let requestId { fields.append("\"requestId\":" + Self.jsonString(requestId)) }
        if let context { fields.append("\"context\":" + context) }
        let value = "{" + fields.joined(separator: ",") + "}"
        let headers = self.traceparent.map { [KafkaHeader(name: "traceparent", value: Array($0.utf8))] } ?? []
        let message = KafkaOutgoingMessage(topic: topic, key: self.key, value: value, headers: headers)
        let asRead = KafkaMessage(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: 0, key: message.key, value: message.value, headers: headers)
        if case .failure(let rejection) = RequestParser().parse(asRead) {
            throw ValidationError("the worker would refuse this request: \(rejection)")
        }
        return message
    }

    /// A JSON string literal.
    private static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
