// swift-tools-version: 6.2
// The libFuzzer target of the request parser and the JSON parser, for scripts/fuzz-parsers: a package of its own
// so that the fuzzer-instrumented build (`-sanitize=fuzzer`) compiles only the parsers' sources, not the root
// package's HTTP, Kafka and server stacks. Each module keeps its root-package name and holds symlinks to the
// root package's files, so the parsers compile unchanged (their `import Kafka` and `import InformaticaClient`).
import PackageDescription

let strictSwift: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault")]

let package = Package(
    name: "parser-fuzz",
    targets: [
        // librdkafka's declarations: KafkaMessage and TopicPartition can also be made from its C types.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka"),
        // KafkaMessage, KafkaHeader and TopicPartition only.
        .target(name: "Kafka", dependencies: ["CRdKafka"], swiftSettings: strictSwift),
        // The JSON parser and its values only.
        .target(name: "InformaticaClient", swiftSettings: strictSwift),
        // The request parser, its limits, rejections and the traceparent check only.
        .target(name: "CodetaskWorker", dependencies: ["Kafka", "InformaticaClient"], swiftSettings: strictSwift),
        // Declares libFuzzer's LLVMFuzzerRunDriver (the fuzzer runtime itself comes with -sanitize=fuzzer).
        .target(name: "CFuzzerDriver"),
        // LLVMFuzzerTestOneInput and the entry point that runs libFuzzer on it.
        .executableTarget(
            name: "parser-fuzz", dependencies: ["CFuzzerDriver", "CodetaskWorker", "InformaticaClient", "Kafka"],
            swiftSettings: strictSwift),
    ]
)
