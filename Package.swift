// swift-tools-version: 6.2
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "codetask-worker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kafka", targets: ["Kafka"]),
        // The test brokers, for the AddressSanitizer run's package of the Kafka tests (.ci/asan).
        .library(name: "KafkaTestSupport", targets: ["KafkaTestSupport"]),
        .library(name: "InformaticaClient", targets: ["InformaticaClient"]),
        .library(name: "InformaticaSimulator", targets: ["InformaticaSimulator"]),
        .library(name: "CodetaskWorker", targets: ["CodetaskWorker"]),
        .executable(name: "iics-sim", targets: ["iics-sim"]),
        .executable(name: "codetask-worker", targets: ["codetask-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.2.0"),
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.0.0", traits: ["OTLPHTTP"]),
        // Settings from flags, the environment and a JSON or YAML file (the YAML trait brings Yams).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
    ],
    targets: [
        // Declares the system's librdkafka (>= 2.2.0, see Librdkafka.minimumVersion) and nothing else.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The Swift Kafka layer: the only module that imports CRdKafka.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Test brokers shared by every test target: the mock cluster and a Tansu process.
        .target(
            name: "KafkaTestSupport",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Release-mode throughput benchmark of the Kafka layer against kcat.
        .executableTarget(
            name: "kafka-bench",
            dependencies: [
                "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "KafkaTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // The Informatica (IICS) REST client: sessions, Start, job status, retry, rate limit, breaker.
        .target(
            name: "InformaticaClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift
        ),
        // An in-process fake of the IICS endpoints the worker uses, with fault injection.
        .target(
            name: "InformaticaSimulator",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // Command-line simulator: `iics-sim --port 8089`.
        .executableTarget(
            name: "iics-sim",
            dependencies: [
                "InformaticaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Release-mode benchmark of the worker end to end: the codetask-worker binary against the mock cluster and
        // the simulator, per profile (in flight, latency, metrics, tracing).
        .executableTarget(
            name: "worker-bench",
            dependencies: [
                "ProofSupport",
                "CodetaskDemo",
                "CodetaskWorker",
                "Kafka",
                "InformaticaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // What the benchmark and the proof runs share: worker child processes, /metrics samples, and
        // the independent auditor of a run (topics read back, the simulator's Start calls, committed positions).
        .target(
            name: "ProofSupport",
            dependencies: [
                "CodetaskDemo",
                "CodetaskWorker",
                "Kafka",
                "InformaticaSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Proof under faults and load, kept out of the production binary: `audit` (an independent reading of a run),
        // `chaos` (worker processes in one group, faults on a schedule) and `soak` (a steady rate, memory sampled).
        .executableTarget(
            name: "codetask-proof",
            dependencies: [
                "ProofSupport",
                "CodetaskDemo",
                "CodetaskWorker",
                "Kafka",
                "KafkaTestSupport",
                "InformaticaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ProofSupportTests",
            dependencies: ["ProofSupport", "CodetaskDemo", "CodetaskWorker", "Kafka", "InformaticaSimulator"],
            swiftSettings: strictSwift
        ),
        // Release-mode benchmark: client Start rate against the simulator, compared with wrk.
        .executableTarget(
            name: "informatica-bench",
            dependencies: [
                "InformaticaClient",
                "InformaticaSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "InformaticaClientTests",
            dependencies: [
                "InformaticaClient",
                "KafkaTestSupport",
                "InformaticaSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // The worker pipeline: requests in, Start calls, job events out, offsets committed once durable.
        .target(
            name: "CodetaskWorker",
            dependencies: [
                "Kafka",
                "InformaticaClient",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift
        ),
        // The operations endpoint: /metrics (Prometheus), /healthz and /readyz, served by Hummingbird.
        .target(
            name: "OperationsEndpoint",
            dependencies: [
                "CodetaskWorker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Sample requests (valid and malformed) and the read-back audit shared by the demo and the tests.
        .target(
            name: "CodetaskDemo",
            dependencies: [
                "CodetaskWorker",
                "Kafka",
                "InformaticaClient",
                "InformaticaSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift
        ),
        // The command line: `run` (production), `check`, `start`, `send` (operators) and `demo` (embedded, no services).
        .executableTarget(
            name: "codetask-worker",
            dependencies: [
                "CodetaskWorker",
                "CodetaskDemo",
                "OperationsEndpoint",
                "Kafka",
                "InformaticaClient",
                "InformaticaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CodetaskWorkerTests",
            dependencies: [
                "CodetaskWorker",
                "CodetaskDemo",
                "OperationsEndpoint",
                "Kafka",
                "KafkaTestSupport",
                "InformaticaClient",
                "InformaticaSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "InformaticaSimulatorTests",
            dependencies: [
                "InformaticaSimulator",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
