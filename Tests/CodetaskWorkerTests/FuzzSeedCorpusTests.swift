import CodetaskDemo
import Foundation
import Kafka
import Testing

/// The parsers' libFuzzer seed corpus (`.ci/fuzz/corpus`, run by `scripts/fuzz-parsers`) is made of the sample
/// requests and the small adversarial records; this test keeps the committed files equal to them.
/// `CODETASK_WRITE_FUZZ_CORPUS=1` writes the directory anew instead (after a change to the samples).
@Suite("Fuzz seed corpus")
struct FuzzSeedCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci/fuzz/corpus")

    /// A seed in the fuzz target's input format: the value, then, when the record has a `traceparent` header,
    /// a NUL and the last one's value.
    static func seed(_ record: SampleRecord) -> [UInt8] {
        guard let trace = record.headers.last(where: { $0.name == "traceparent" })?.value else { return record.value }
        return record.value + [0] + trace
    }

    /// Every seed by file name: valid and malformed samples, and the adversarial records of up to 8 KiB.
    static var seeds: [String: [UInt8]] {
        var seeds: [String: [UInt8]] = [:]
        for index in 0..<3 { seeds["sample-valid-\(index)"] = Self.seed(SampleRequests.valid(index: index, codeTaskId: "ct-\(index)")) }
        for variant in 0..<SampleRequests.malformedVariantCount {
            seeds["sample-malformed-\(variant)"] = Self.seed(SampleRequests.malformed(index: variant, variant: variant, maxRecordBytes: 1024))
        }
        for (index, record) in AdversarialRecords().generate(count: 200, seed: 1).enumerated()
        where !record.isTombstone && record.value.count <= 8192 {
            seeds["adversarial-\(index)"] = Self.seed(record)
        }
        return seeds
    }

    @Test("the committed seed corpus is the sample requests and the small adversarial records")
    func corpusMatchesTheSamples() throws {
        let expected = Self.seeds
        if ProcessInfo.processInfo.environment["CODETASK_WRITE_FUZZ_CORPUS"] == "1" {
            try? FileManager.default.removeItem(at: Self.directory)
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for (name, bytes) in expected { try Data(bytes).write(to: Self.directory.appendingPathComponent(name)) }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
        #expect(Set(names) == Set(expected.keys), "run with CODETASK_WRITE_FUZZ_CORPUS=1 to write the corpus anew")
        for name in names.sorted() {
            let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
            #expect(bytes == expected[name], "\(name) differs from its sample")
        }
        #expect(expected.count > 150)
    }
}
