internal import CRdKafka

/// Facts about the librdkafka library loaded at run time.
public enum Librdkafka {
    /// The oldest librdkafka this project supports, 2.2.0: the first that skips KIP-482 tagged fields correctly
    /// (2.0.2 cannot talk to Tansu) and keeps the commit metadata given to `rd_kafka_offsets_store`. Every
    /// librdkafka call the sources make is in 2.2.0's headers (`scripts/check-librdkafka-api` checks this against
    /// `.ci/librdkafka-2.2.0-api.txt`), except those looked up at run time, which degrade when absent.
    /// Keep it equal to `REQUIRED_RDKAFKA` in `scripts/bootstrap` (the same script checks).
    public static let minimumVersion = Version(major: 2, minor: 2, patch: 0)

    /// A librdkafka version number.
    public struct Version: Comparable, Sendable, CustomStringConvertible {
        public let major: Int, minor: Int, patch: Int

        /// Creates a version from its three parts.
        public init(major: Int, minor: Int, patch: Int) {
            (self.major, self.minor, self.patch) = (major, minor, patch)
        }

        /// Decodes librdkafka's hex-packed `0xMMmmrrxx` version.
        init(packed: Int32) {
            self.init(major: Int((packed >> 24) & 0xff), minor: Int((packed >> 16) & 0xff),
                      patch: Int((packed >> 8) & 0xff))
        }

        public static func < (lhs: Version, rhs: Version) -> Bool {
            (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }

        public var description: String { "\(major).\(minor).\(patch)" }
    }

    /// The loaded library's version.
    public static var version: Version { Version(packed: rd_kafka_version()) }

    /// The loaded library's version string, as librdkafka prints it.
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// Throws unless the loaded librdkafka is at least ``minimumVersion``, with a message that says how to fix it.
    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/unsupportedVersion``.
    public static func requireSupportedVersion() throws(KafkaError) {
        guard version >= minimumVersion else {
            throw KafkaError(
                code: .unsupportedVersion,
                message: "librdkafka \(versionString) is loaded but \(minimumVersion) or newer is required "
                    + "(older versions cannot parse KIP-482 tagged fields). Run scripts/bootstrap to build "
                    + "librdkafka 2.8.0 into /usr/local, or install librdkafka-dev >= 2.2.0 from your distribution.",
                isRetriable: false)
        }
    }
}
