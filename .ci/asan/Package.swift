// swift-tools-version: 6.2
// The Kafka layer's tests alone, for the AddressSanitizer run in CI: a package of its own so that the sanitized
// build compiles only the Kafka module, its test support and their dependencies (the root package's test
// bundle links every target). The tests are the root package's, through the KafkaTests symlink.
import PackageDescription

let package = Package(
    name: "kafka-asan",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "codetask-worker", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                .product(name: "Kafka", package: "codetask-worker"),
                .product(name: "KafkaTestSupport", package: "codetask-worker"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "KafkaTests",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault")]
        )
    ]
)
