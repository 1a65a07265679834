import Foundation
import NIOHTTP1

/// A request as the simulator's logic sees it, free of NIO channel types.
struct SimRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    var body: [UInt8]

    func header(_ name: String) -> String? { self.headers.first(name: name) }
}

/// What to do with a request: answer after a delay, or drop the connection.
struct SimResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var delay: Duration = .zero
    var dropConnection = false
    /// Write the answer broken this way instead (the job has started).
    var broken: BrokenAnswer?

    static func json(_ status: HTTPResponseStatus, _ document: JSONWriter, headers: [(String, String)] = []) -> SimResponse {
        SimResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(document.documentText.utf8))
    }

    static func dropped(after delay: Duration) -> SimResponse {
        SimResponse(status: .internalServerError, delay: delay, dropConnection: true)
    }
}
