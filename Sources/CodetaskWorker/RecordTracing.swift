import Kafka
import Tracing

/// Trace context carried in Kafka record headers, through the tracer's own propagation (W3C `traceparent`
/// and `tracestate` with OpenTelemetry): read from an input record, written into an output event.
enum RecordTracing {
    /// The context a record's headers carry (top-level when they carry none the tracer reads).
    static func context(of headers: [KafkaHeader], tracer: any Tracer) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(headers, into: &context, using: KafkaHeaderExtractor())
        return context
    }

    /// The headers that carry `context` (written by the tracer's own propagation): an event's headers of the same
    /// names are replaced by them. A tracer that writes nothing (none bootstrapped) gives none, and the input's
    /// `traceparent` is passed on.
    static func headers(carrying context: ServiceContext, tracer: any Tracer) -> [KafkaHeader] {
        var injected: [KafkaHeader] = []
        tracer.inject(context, into: &injected, using: KafkaHeaderInjector())
        return injected
    }
}

private struct KafkaHeaderExtractor: Extractor {
    /// The last header of the name wins (Kafka allows repeats).
    func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        carrier.last { $0.name.lowercased() == key.lowercased() }?.stringValue
    }
}

private struct KafkaHeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [KafkaHeader]) {
        carrier.append(KafkaHeader(name: key, value: value))
    }
}
