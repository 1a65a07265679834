public import Logging

/// The metadata keys of the worker's log lines about a record, defined once: every line about a record carries
/// its coordinates, and once known its request id, code task id and job id.
public enum RecordLogKey {
    public static let topic = "kafka.topic"
    public static let partition = "kafka.partition"
    public static let offset = "kafka.offset"
    public static let requestId = "codetask.request_id"
    public static let codeTaskId = "codetask.code_task_id"
    public static let jobId = "informatica.job_id"
}

extension RecordSource {
    /// The record's coordinates as log metadata.
    public var logMetadata: Logger.Metadata {
        [
            RecordLogKey.topic: .string(self.topic),
            RecordLogKey.partition: .stringConvertible(self.partition),
            RecordLogKey.offset: .stringConvertible(self.offset),
        ]
    }
}

extension StartRequest {
    /// The request's coordinates, request id and code task id as log metadata.
    public var logMetadata: Logger.Metadata {
        self.source.logMetadata.merging([
            RecordLogKey.requestId: .string(self.requestId),
            RecordLogKey.codeTaskId: .string(self.codeTaskId),
        ]) { current, _ in current }
    }
}
