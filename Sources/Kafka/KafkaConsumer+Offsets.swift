internal import CRdKafka

/// Offsets are the application's: it stores the position after each record it has fully handled, and
/// commits stored offsets when it chooses (and on revocation, unless configured otherwise).
extension KafkaConsumer {
    /// Stores the position after `message` (its offset + 1) for the next commit.
    public func storeOffset(after message: KafkaMessage) throws(KafkaError) {
        try storeOffsets([TopicPartitionOffset(message.topicPartition, offset: message.offset + 1)])
    }

    /// Stores positions (the next offsets to read) for the next commit.
    ///
    /// Refused when librdkafka stores offsets by itself (`enable.auto.offset.store=true`, which
    /// ``KafkaConsumerConfiguration/validate()`` already refuses): it would commit past records not yet finished.
    /// - Throws: ``KafkaError`` e.g. when a partition is not assigned to this member; `_INVALID_ARG` (neither
    ///   retriable nor ignorable) when offsets are stored automatically.
    public func storeOffsets(_ positions: [TopicPartitionOffset]) throws(KafkaError) {
        guard !storesOffsetsAutomatically else {
            throw KafkaError(code: .invalidArgument, message: "cannot store offsets: enable.auto.offset.store is on, so "
                + "librdkafka stores them itself, past unfinished records", isRetriable: false)
        }
        let list = PartitionList(positions)
        try KafkaError.check(rd_kafka_offsets_store(handle.pointer, list.pointer), "store offsets")
        if let error = PartitionList.firstError(in: list.pointer, context: "store offset") { throw error }
    }

    /// Commits the stored offsets and waits for the broker's answer. Nothing stored is not an error.
    public func commit() async throws(KafkaError) {
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in
            let err = rd_kafka_commit(handle.pointer, nil, 0)
            if err != RD_KAFKA_RESP_ERR__NO_OFFSET { try KafkaError.check(err, "commit") }
        }
    }

    /// Commits these positions (the next offsets to read) and waits for the broker's answer.
    public func commit(_ positions: [TopicPartitionOffset]) async throws(KafkaError) {
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in
            let list = PartitionList(positions)
            try KafkaError.check(rd_kafka_commit(handle.pointer, list.pointer, 0), "commit \(positions)")
            if let error = PartitionList.firstError(in: list.pointer, context: "commit") { throw error }
        }
    }

    /// Starts a commit of the stored offsets without waiting; failures are logged when the poll serves them.
    public func commitAsync() throws(KafkaError) {
        let err = rd_kafka_commit(handle.pointer, nil, 1)
        if err != RD_KAFKA_RESP_ERR__NO_OFFSET { try KafkaError.check(err, "commit") }
    }

    /// The group's committed positions for these partitions (`offset` is `nil` where none is committed).
    /// - Throws: ``KafkaError`` when the read fails, including when the broker answers with an error for one of
    ///   the partitions: that partition's position is unknown, which is not the same as nothing committed.
    public func committedOffsets(for partitions: [TopicPartition], timeout: Duration) async throws(KafkaError)
        -> [TopicPartitionOffset] {
        let handle = handle
        return try await BlockingCall.run { () throws(KafkaError) in
            let list = PartitionList(partitions)
            try KafkaError.check(rd_kafka_committed(handle.pointer, list.pointer, timeout.int32Milliseconds),
                                 "query committed offsets")
            if let error = PartitionList.firstError(in: list.pointer, context: "committed offset of") { throw error }
            return list.positions
        }
    }

    /// The end offset (high watermark) of each partition as its leader reports it now: one ListOffsets request
    /// per leader (`rd_kafka_offsets_for_times` with the "latest" timestamp), whether or not the partitions are
    /// being fetched (``cachedEndOffset(of:)`` stands still while a partition is paused).
    /// - Returns: The partitions that answered, with their end offsets.
    /// - Throws: ``KafkaError`` when the leaders do not answer within `timeout`.
    public func endOffsets(of partitions: [TopicPartition], timeout: Duration) async throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let handle = handle
        return try await BlockingCall.run { () throws(KafkaError) in
            let list = PartitionList(partitions.map { TopicPartitionOffset($0, offset: Int64(RD_KAFKA_OFFSET_END)) })
            try KafkaError.check(rd_kafka_offsets_for_times(handle.pointer, list.pointer, timeout.int32Milliseconds),
                                 "query end offsets")
            var ends: [TopicPartition: Int64] = [:]
            for position in list.positions {
                if let offset = position.offset, offset >= 0 { ends[position.topicPartition] = offset }
            }
            return ends
        }
    }

    /// Moves the fetch position of assigned partitions; the next records handed out start there.
    public func seek(_ positions: [TopicPartitionOffset], timeout: Duration) async throws(KafkaError) {
        core.state.withLock { state in positions.forEach { state.forgetHeld($0.topicPartition) } }
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in
            let list = PartitionList(positions)
            try KafkaError.check(rd_kafka_seek_partitions(handle.pointer, list.pointer, timeout.int32Milliseconds),
                                 "seek")
            if let error = PartitionList.firstError(in: list.pointer, context: "seek") { throw error }
        }
    }
}
