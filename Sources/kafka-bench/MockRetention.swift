/// How big the benchmark's topics must be for librdkafka's mock cluster to keep every record.
///
/// A mock partition keeps only about 5 MiB or 100,000 records: beyond that it drops its oldest message
/// sets (`rdkafka_mock.c`), so a consumer reading from the beginning never sees them and would wait forever
/// for the full count. The records are therefore spread evenly over enough partitions to stay well below.
enum MockRetention {
    /// Records one partition may hold in this benchmark: 4 MiB of records (a 100-byte value takes about
    /// 110 bytes in the log), at most 80,000.
    static func recordsPerPartition(size: Int) -> Int {
        min(80_000, 4 * 1024 * 1024 / (size + 40))
    }

    /// Partitions needed for `records` records of `size` bytes (at least 6).
    static func partitions(records: Int, size: Int) -> Int {
        let perPartition = recordsPerPartition(size: size)
        return max(6, (records + perPartition - 1) / perPartition)
    }

    /// Producer properties, for both clients, that spread records without keys evenly: a random
    /// partition for each record instead of sticking to one partition for a while (which piles many
    /// batches onto a few partitions when records are produced this fast).
    static let partitioning = ["sticky.partitioning.linger.ms": "0"]
}

/// Consumer properties for both clients.
///
/// librdkafka stops fetching once `queued.min.messages` (default 100,000) records wait in the consumer's
/// queue and looks again only about once a second, so with the default both clients read in steps of about
/// 100,000 records a second whatever their own speed. A higher mark lets the timing show the clients.
enum ConsumerPrefetch {
    static let properties = ["queued.min.messages": "1000000"]
}
