import AsyncHTTPClient
import Foundation
import InformaticaClient
import NIOCore

/// Logs in to the simulator once, to hand wrk a session id.
enum BenchLogin {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func sessionId(baseURL: String, credentials: Credentials) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/identity-service/api/v1/Login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"username": "\#(credentials.username)", "password": "sim-password"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok,
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let id = object["sessionId"] as? String
        else { throw Failure(description: "login to the simulator failed with HTTP \(response.status.code)") }
        return id
    }
}
