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
/// librdkafka stops fetching once `queued.min.messages` (default 100,000) records or
/// `queued.max.messages.kbytes` (default 64 MiB) wait in the consumer's queue, and may look again only
/// about a second later: with the defaults both clients read in steps of about 100,000 records a second,
/// and a client that falls behind its fetcher stalls for a second, whatever its own speed. Marks above the
/// whole topic (about 110 MB) let the timing show the clients.
enum ConsumerPrefetch {
    static let properties = ["queued.min.messages": "10000000", "queued.max.messages.kbytes": "1048576"]
}
