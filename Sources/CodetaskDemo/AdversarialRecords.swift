public import CodetaskWorker
import InformaticaSimulator

/// A seeded mix of adversarial input records and valid requests, each with the outcome the worker must reach:
/// random bytes, invalid UTF-8, truncated JSON, JSON nested 10,000 and 1,000,000 levels deep, values, contexts,
/// ids and `traceparent` headers on both sides of every limit, ids of every wrong type and with path, query,
/// header-injection and control characters, duplicate keys, byte-order marks, binary header values, forged
/// `dlq_` headers, tombstones and records just under the broker's size limit.
///
/// The same seed and count give the same records. Most records are small; every ``heavyEvery``-th one is large
/// (tens of KiB), and two per 5,000 records (one in each half of a shorter run) are about 1 MB (the broker's limit), so the byte volume stays within
/// what librdkafka's mock cluster keeps per partition.
public struct AdversarialRecords: Sendable {
    /// The worker's bounds the records are built around (on both sides of each).
    public var limits: RequestLimits
    /// The largest record the broker accepts (Kafka's default `message.max.bytes`, 1,048,588 bytes).
    public var brokerMaxRecordBytes = 1_048_588
    /// One record in this many is a large one (see the type's summary).
    public var heavyEvery = 40

    /// Records built around these limits.
    public init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    /// The producer's `message.max.bytes` needed to send every generated record (the broker's limit).
    public var producerMaxMessageBytes: Int { self.brokerMaxRecordBytes }

    /// `count` records from `seed`: about two in five valid, the rest malformed, every kind cycled through.
    public func generate(count: Int, seed: UInt64) -> [SampleRecord] {
        var random = SeededGenerator(seed: seed)
        // The two 1 MB records come once per 5,000 (or per `count`, when smaller): one in each half.
        let period = max(4, min(count, 5_000))
        return (0..<count).map { index in
            var maker = AdversarialRecordMaker(index: index, limits: self.limits, random: random)
            defer { random = maker.random }
            switch index % period {
            case period / 4: return maker.nestedMillionLevels()
            case period * 3 / 4: return maker.justUnderBrokerLimit(self.brokerMaxRecordBytes)
            default: break
            }
            if index % self.heavyEvery == self.heavyEvery / 2 {
                let kinds = AdversarialRecordMaker.heavyKinds
                return kinds[(index / self.heavyEvery) % kinds.count](&maker)
            }
            if index % 5 < 2 {
                let kinds = AdversarialRecordMaker.validKinds
                return kinds[(index / 5 * 2 + index % 5) % kinds.count](&maker)
            }
            let kinds = AdversarialRecordMaker.malformedKinds
            return kinds[(index / 5 * 3 + index % 5 - 2) % kinds.count](&maker)
        }
    }
}
