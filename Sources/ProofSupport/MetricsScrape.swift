import AsyncHTTPClient
import NIOCore
import Foundation

/// One scrape of a worker's Prometheus endpoint (`GET /metrics`), as sample lines.
public struct MetricsScrape: Sendable {
    /// Each sample line's series (`name{labels}`) and value.
    public var samples: [(series: String, value: Double)]

    /// Parses Prometheus text format: comment lines are skipped, every other line is `series value`.
    public init(text: String) {
        self.samples = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { return nil }
            return (String(line[..<space]), value)
        }
    }

    /// The sum of every series of the metric `name` (all label sets); `nil` when there is none.
    public func sum(_ name: String) -> Double? {
        let values = self.samples.filter { $0.series == name || $0.series.hasPrefix(name + "{") }.map(\.value)
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// Scrapes `http://address/metrics`.
    /// - Throws: When the endpoint does not answer 200 within `timeout`.
    public static func fetch(address: String, timeout: Duration = .seconds(2)) async throws -> MetricsScrape {
        let request = HTTPClientRequest(url: "http://\(address)/metrics")
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(timeout.components.seconds * 1000))
        guard response.status == .ok else { throw ProofError("GET \(address)/metrics answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 16 << 20)
        return MetricsScrape(text: String(buffer: body))
    }
}
