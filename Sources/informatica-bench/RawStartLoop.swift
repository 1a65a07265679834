import AsyncHTTPClient
import Foundation
import NIOCore

/// The same Start request sent with AsyncHTTPClient directly: the ceiling of the HTTP layer the client
/// is built on, to tell the client's own cost from the HTTP stack's.
struct RawStartLoop {
    var url: String
    var sessionId: String
    var connections: Int

    /// Runs `connections` concurrent loops for `seconds`; returns 2xx answers per second.
    func run(seconds: Int) async throws -> Double {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: self.connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let body = ByteBuffer(string: #"{"codeTaskId": "bench-raw"}"#)
        let started = ContinuousClock.now
        let end = started + .seconds(seconds)
        let succeeded = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<self.connections {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < end {
                        var request = HTTPClientRequest(url: self.url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Accept", value: "application/json")
                        request.headers.add(name: "IDS-SESSION-ID", value: self.sessionId)
                        request.body = .bytes(body)
                        guard let response = try? await client.execute(request, timeout: .seconds(10)),
                            (try? await response.body.collect(upTo: 1 << 20)) != nil, response.status == .ok
                        else { continue }
                        count += 1
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - started).components
        try await client.shutdown()
        return Double(succeeded) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }
}
