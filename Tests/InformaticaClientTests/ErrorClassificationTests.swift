import Testing

@testable import InformaticaClient

@Suite("Error bodies and classification")
struct ErrorClassificationTests {
    @Test("v2 error body")
    func v2() {
        let body = #"{"code": "UI_10000", "description": "Access denied", "statusCode": 403, "@type": "error"}"#
        let details = ErrorDetails(body: Array(body.utf8), status: 403)
        #expect(details == ErrorDetails(code: "UI_10000", message: "Access denied", requestId: nil))
    }

    @Test("v3 error body keeps the request id")
    func v3() {
        let body = #"{"error": {"code": "IDS_085", "message": "Invalid session", "requestId": "9hr8e2ObIcChbwYftgDui7", "details": null}}"#
        let details = ErrorDetails(body: Array(body.utf8), status: 401)
        #expect(details == ErrorDetails(code: "IDS_085", message: "Invalid session", requestId: "9hr8e2ObIcChbwYftgDui7"))
    }

    @Test("HTML and empty bodies become a short cleaned excerpt")
    func nonJSON() {
        let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>"
        #expect(ErrorDetails(body: Array(html.utf8), status: 502).message == "502 Bad Gateway 502 Bad Gateway")
        #expect(ErrorDetails(body: [], status: 504).message == "HTTP 504 with an empty body")
        let long = String(repeating: "x", count: 1000)
        #expect(ErrorDetails(body: Array(long.utf8), status: 500).message.count == ErrorDetails.excerptLimit + 1)
    }

    @Test(
        "statuses are classified",
        arguments: [
            (200, OutcomeClass.success), (201, .success), (401, .session), (408, .retriable), (429, .retriable),
            (500, .retriable), (502, .retriable), (503, .retriable), (504, .retriable),
            (400, .permanent), (404, .permanent), (409, .permanent), (501, .permanent),
        ]
    )
    func statuses(status: Int, expected: OutcomeClass) {
        #expect(OutcomeClassifier.classify(status: status, details: nil) == expected)
    }

    @Test("403 is a session error only when it speaks of the session")
    func forbidden() {
        let session = ErrorDetails(code: "UI_10000", message: "Invalid session. Log in again.", requestId: nil)
        let permission = ErrorDetails(code: "UI_10000", message: "You do not have permission to run this task.", requestId: nil)
        #expect(OutcomeClassifier.classify(status: 403, details: session) == .session)
        #expect(OutcomeClassifier.classify(status: 403, details: permission) == .permanent)
    }
}
