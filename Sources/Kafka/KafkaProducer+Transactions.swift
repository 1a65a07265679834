internal import CRdKafka

/// Kafka transactions: output records and consumer offsets committed atomically, or not at all.
///
/// Requires ``KafkaProducerConfiguration/transactionalID``. The sequence is
/// ``initTransactions(timeout:)`` once, then for each batch ``beginTransaction()``, sends,
/// ``sendOffsetsToTransaction(_:of:timeout:)``, and ``commitTransaction(timeout:)`` or
/// ``abortTransaction(timeout:)``. An error whose `transactionRequiresAbort` is set must be answered with an abort.
extension KafkaProducer {
    /// Registers the transactional id with the coordinator and fences older producers using it.
    public func initTransactions(timeout: Duration) async throws(KafkaError) {
        try await transactionCall("init transactions") { rk in rd_kafka_init_transactions(rk, timeout.int32Milliseconds) }
    }

    /// Starts a transaction; every record sent until commit or abort belongs to it.
    public func beginTransaction() throws(KafkaError) {
        try KafkaError.check(rd_kafka_begin_transaction(handle.pointer), "begin transaction")
    }

    /// Adds consumer offsets (the next offsets to read) to the current transaction.
    /// - Parameters:
    ///   - offsets: positions to commit when the transaction commits.
    ///   - consumer: the consumer whose group the offsets belong to.
    public func sendOffsetsToTransaction(_ offsets: [TopicPartitionOffset], of consumer: KafkaConsumer,
                                         timeout: Duration) async throws(KafkaError) {
        let positions = offsets
        let consumerHandle = consumer.handle
        try await transactionCall("send offsets to transaction") { rk in
            let list = PartitionList(positions)
            let metadata = rd_kafka_consumer_group_metadata(consumerHandle.pointer)
            defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
            return rd_kafka_send_offsets_to_transaction(rk, list.pointer, metadata, timeout.int32Milliseconds)
        }
    }

    /// Commits the current transaction (flushing its records first).
    public func commitTransaction(timeout: Duration) async throws(KafkaError) {
        try await transactionCall("commit transaction") { rk in rd_kafka_commit_transaction(rk, timeout.int32Milliseconds) }
    }

    /// Aborts the current transaction: its records are never shown to read_committed consumers.
    public func abortTransaction(timeout: Duration) async throws(KafkaError) {
        try await transactionCall("abort transaction") { rk in rd_kafka_abort_transaction(rk, timeout.int32Milliseconds) }
    }

    private func transactionCall(_ what: String,
                                 _ body: @escaping @Sendable (OpaquePointer) -> OpaquePointer?) async throws(KafkaError) {
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in try KafkaError.check(body(handle.pointer), what) }
    }
}
