import Foundation

/// The age of an input record from its Kafka timestamp, total over every timestamp a producer may write.
///
/// Kafka timestamps are any int64 of milliseconds (a producer may write one before 1733, a negative one, or
/// microseconds taken for milliseconds): the age is clamped to zero for a timestamp in the future and to
/// `Int64.max` nanoseconds for one too far in the past, never trapping.
enum RecordAge {
    /// Nanoseconds from `recordTime` to `now`, within `0...Int64.max`.
    static func nanoseconds(since recordTime: Date, now: Date) -> Int64 {
        let seconds = now.timeIntervalSince(recordTime)
        guard seconds.isFinite, seconds > 0 else { return 0 }
        let nanoseconds = seconds * 1e9
        // `Double(Int64.max)` rounds up to 2^63, which does not convert back: compare with `>=`.
        guard nanoseconds < Double(Int64.max) else { return Int64.max }
        return Int64(nanoseconds)
    }
}
