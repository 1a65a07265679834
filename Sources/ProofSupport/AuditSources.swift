import AsyncHTTPClient
import Foundation
public import InformaticaSimulator
public import Kafka
public import Logging
import NIOCore

/// Where an audit's other facts come from: the worker group's committed positions and the simulator's record.
public enum AuditSources {
    /// The committed position per partition of `group` on `topic` (partitions without one are left out).
    /// Asks the group coordinator without joining the group.
    /// - Throws: ``KafkaError`` when the coordinator does not answer within `timeout`.
    public static func committed(
        kafka: KafkaClientConfiguration, group: String, topic: String, partitions: some Sequence<Int32>, timeout: Duration = .seconds(20),
        logger: Logger
    ) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(client: kafka, groupID: group), logger: logger)
        let list = partitions.map { TopicPartition(topic: topic, partition: $0) }
        let positions = try await consumer.committedOffsets(for: list, timeout: timeout)
        try await consumer.close()
        return Dictionary(positions.compactMap { position in position.offset.map { (position.topicPartition.partition, $0) } }) { $1 }
    }

    /// The Start calls a running simulator received (`GET <url>/admin/start-calls`).
    /// - Throws: ``ProofError`` when it does not answer 200 with a Start-call document.
    public static func startCalls(simulatorURL: String) async throws -> StartCallLog {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: simulatorURL + "/admin/start-calls"), timeout: .seconds(30))
        guard response.status == .ok else { throw ProofError("GET \(simulatorURL)/admin/start-calls answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 512 << 20)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StartCallLog.self, from: Data(body.readableBytesView))
    }
}
