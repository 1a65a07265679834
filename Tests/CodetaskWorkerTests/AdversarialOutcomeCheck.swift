import CodetaskDemo
import CodetaskWorker
import Kafka

/// What the worker published for one generated record, checked against the contract: a valid request has
/// exactly one terminal event and no dead letter; a malformed record exactly one dead letter with the expected
/// `dlq_reason` and a `dlq_message`, copied unchanged (key, value, tombstone, headers after the worker's own,
/// `dlq_…` renamed `original_dlq_…`) or, marked `dlq_truncated=true`, shortened: key and value cut to
/// prefixes, copied headers kept whole or dropped, `dlq_original_size` the original's size, within the
/// producer's limit; and at most one `failed` event, of category `invalid_request`.
struct AdversarialOutcomeCheck {
    /// The worker producer's `message.max.bytes`.
    let maxPublishBytes: Int

    /// The contract's breaches for `sample` (empty when none).
    func problems(_ sample: SampleRecord, _ entry: OutputAudit.Entry?) -> [String] {
        guard let entry else { return ["lost"] }
        switch sample.expectation {
        case .start(let codeTaskId):
            var problems: [String] = []
            if entry.isDeadLettered { problems.append("valid request dead-lettered as \(entry.deadLetterReasons)") }
            if entry.eventTypes.count != 1 { problems.append("\(entry.eventTypes.count) events instead of one: \(entry.eventTypes)") }
            if entry.codeTaskId != codeTaskId { problems.append("event for \(entry.codeTaskId ?? "nil"), expected \(codeTaskId)") }
            return problems
        case .deadLetter(let reason):
            var problems: [String] = []
            if entry.deadLetterReasons != [reason] { problems.append("dead-lettered as \(entry.deadLetterReasons), expected [\(reason)]") }
            if !entry.eventTypes.isEmpty, entry.eventTypes != [EventType.failed.rawValue] || entry.errorCategories != ["invalid_request"] {
                problems.append("events \(entry.eventTypes) \(entry.errorCategories) for a malformed record")
            }
            if let copy = entry.deadLetterCopies.first { problems += self.copyProblems(sample, copy) }
            return problems
        }
    }

    private func copyProblems(_ sample: SampleRecord, _ copy: KafkaMessage) -> [String] {
        var problems: [String] = []
        if copy.headers.first?.name != DeadLetterHeader.reason { problems.append("dlq_reason is not the first header") }
        if (copy.headers.last(named: DeadLetterHeader.message) ?? "").isEmpty { problems.append("no dlq_message") }
        let key = sample.key.map { Array($0.utf8) }
        let copied = Array(copy.headers.drop { $0.name.hasPrefix(DeadLetterHeader.prefix) })
        let renamed = sample.headers.map { header in
            header.name.hasPrefix(DeadLetterHeader.prefix) ? KafkaHeader(name: "original_" + header.name, value: header.value) : header
        }
        guard copy.headers.last(named: DeadLetterHeader.truncated) == "true" else {
            if copy.key != key { problems.append("key changed") }
            if copy.value != sample.value || copy.isTombstone != sample.isTombstone { problems.append("value changed") }
            if copied != renamed { problems.append("headers changed: \(copied.map(\.name)) vs \(renamed.map(\.name))") }
            return problems
        }
        if !sample.value.starts(with: copy.value) { problems.append("shortened value is not a prefix") }
        if let key, !key.starts(with: copy.key ?? []) { problems.append("shortened key is not a prefix") }
        if !Self.isSubsequence(copied, of: renamed) { problems.append("shortened copy has headers the original lacks") }
        let size = (key?.count ?? 0) + sample.value.count + sample.headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
        if copy.headers.last(named: DeadLetterHeader.originalSize) != String(size) { problems.append("dlq_original_size is not \(size)") }
        let wire = KafkaOutgoingMessage(topic: copy.topic, key: copy.key, value: copy.value, headers: copy.headers).maximumWireSize
        if wire > self.maxPublishBytes { problems.append("shortened copy of \(wire) bytes exceeds \(self.maxPublishBytes)") }
        return problems
    }

    private static func isSubsequence(_ part: [KafkaHeader], of whole: [KafkaHeader]) -> Bool {
        var rest = whole[...]
        for header in part {
            guard let found = rest.firstIndex(of: header) else { return false }
            rest = rest[(found + 1)...]
        }
        return true
    }
}
