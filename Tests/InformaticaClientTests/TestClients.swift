import KafkaTestSupport
import Foundation
import Logging

@testable import InformaticaClient

/// Builders shared by the client tests.
enum TestClients {
    static let sessionId = "FIXED-session-0123456789abcdef"
    static let password = "s3cret-PASSWORD-value"

    /// A fixed-session configuration with fast, deterministic retry settings.
    static func fixedConfiguration(serverURL: String = "https://usw3.dm-us.informaticacloud.com") -> InformaticaConfiguration {
        var configuration = InformaticaConfiguration(session: .fixedSession(sessionId: Secret(sessionId), serverURL: serverURL))
        configuration.retry.maxAttempts = 5
        configuration.retry.initialBackoff = .milliseconds(100)
        configuration.retry.maxBackoff = .seconds(2)
        configuration.retry.deadline = .seconds(30)
        return configuration
    }

    /// A client over a scripted transport with a manual clock.
    static func scripted(
        _ configuration: InformaticaConfiguration = fixedConfiguration(),
        transport: ScriptedTransport,
        clock: ManualClock,
        jitter: Double = 1,
        capture: LogCapture
    ) throws -> InformaticaClient {
        try InformaticaClient(
            configuration: configuration,
            transport: transport,
            clock: clock,
            jitter: { jitter },
            logger: capture.logger()
        )
    }
}
