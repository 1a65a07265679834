import Foundation

/// How long the simulator waits before answering, drawn per request from the seeded generator.
public enum LatencyDistribution: Sendable, Hashable, Codable {
    /// No added latency.
    case none
    /// Always `milliseconds`.
    case fixed(milliseconds: Double)
    /// Uniform between `min` and `max` milliseconds.
    case uniform(minMilliseconds: Double, maxMilliseconds: Double)
    /// Exponential with the given mean, in milliseconds (a long tail, like a busy service).
    case exponential(meanMilliseconds: Double)

    /// Draws one latency.
    func sample(using generator: inout SeededGenerator) -> Duration {
        let milliseconds: Double
        switch self {
        case .none: return .zero
        case .fixed(let value): milliseconds = value
        case .uniform(let low, let high): milliseconds = low + (high - low) * generator.nextUnit()
        case .exponential(let mean): milliseconds = -mean * Foundation.log(1 - generator.nextUnit())
        }
        guard milliseconds > 0, milliseconds.isFinite else { return .zero }
        return .microseconds(Int64(milliseconds * 1000))
    }

    /// Parses `none`, `fixed:MS`, `uniform:MIN-MAX` or `exponential:MEAN` (command-line form).
    public init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("none", 1): self = .none
        case ("fixed", 2): guard let value = Double(parts[1]) else { return nil }; self = .fixed(milliseconds: value)
        case ("exponential", 2): guard let value = Double(parts[1]) else { return nil }; self = .exponential(meanMilliseconds: value)
        case ("uniform", 2):
            let bounds = parts[1].split(separator: "-").compactMap { Double($0) }
            guard bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
            self = .uniform(minMilliseconds: bounds[0], maxMilliseconds: bounds[1])
        default: return nil
        }
    }
}
