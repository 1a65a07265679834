import Foundation

/// Parses a `Retry-After` header: a number of seconds or an HTTP date.
enum RetryAfter {
    /// The wait the header asks for, or `nil` when it is absent or unreadable.
    /// - Parameters:
    ///   - value: The header value.
    ///   - now: The current time, for HTTP dates.
    static func parse(_ value: String?, now: Date) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text) { return seconds >= 0 ? .seconds(seconds) : nil }
        for format in self.dateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date.duration(since: now) }
        }
        return nil
    }

    /// IMF-fixdate, RFC 850 and asctime, as RFC 9110 requires recipients to accept.
    private static let dateFormats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
}
