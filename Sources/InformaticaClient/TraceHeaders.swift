import Tracing

/// Writes a span's context into an HTTP request's headers through the tracer's propagation (W3C
/// `traceparent` with OpenTelemetry). A tracer that writes nothing (none bootstrapped) leaves the headers as
/// they were, so a `traceparent` passed on from the caller still reaches Informatica.
enum TraceHeaders {
    /// `headers` with the context's headers added, replacing any of the same name.
    static func with(_ context: ServiceContext, written headers: [(String, String)], by tracer: any Tracer) -> [(String, String)] {
        var injected: [(String, String)] = []
        tracer.inject(context, into: &injected, using: HeaderPairsInjector())
        guard !injected.isEmpty else { return headers }
        let names = Set(injected.map { $0.0.lowercased() })
        return headers.filter { !names.contains($0.0.lowercased()) } + injected
    }
}

/// Appends propagated context as header pairs.
private struct HeaderPairsInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}
