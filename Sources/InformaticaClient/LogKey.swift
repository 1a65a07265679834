import Logging

/// Metadata keys of the client's log lines, in one place.
enum LogKey {
    static let codeTaskId = "informatica.code_task_id"
    static let jobId = "informatica.job_id"
    static let attempt = "informatica.attempt"
    static let status = "informatica.status"
    static let outcome = "informatica.outcome"
    static let error = "informatica.error"
    static let delay = "informatica.delay"
    static let url = "informatica.url"
    static let breaker = "informatica.breaker"
    static let requestId = "informatica.request_id"
    static let delivery = "informatica.delivery"
}
