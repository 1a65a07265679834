import Foundation

/// The seconds each client took for one kind of step, one entry per round.
struct Timings {
    private(set) var module: [Double] = []
    private(set) var kcat: [Double] = []

    /// Times both clients once, in the given order.
    mutating func measure(moduleFirst: Bool, module runModule: () async throws -> Double,
                          kcat runKcat: () async throws -> Double) async throws {
        if moduleFirst {
            module.append(try await runModule())
            kcat.append(try await runKcat())
        } else {
            kcat.append(try await runKcat())
            module.append(try await runModule())
        }
    }

    /// The last round's rates and ratio.
    func last(_ records: Int) -> String {
        Self.describe(records, module: module.last ?? .nan, kcat: kcat.last ?? .nan)
    }

    /// The median rates over all rounds and their ratio (module / kcat), then the median of the rounds' own
    /// ratios (each pairs two runs made close together, so it is less sensitive to the machine's other load).
    func summary(_ records: Int) -> String {
        let roundRatios = zip(module, kcat).map { module, kcat in kcat / module }
        return Self.describe(records, module: Self.median(module), kcat: Self.median(kcat))
            + String(format: " (medians of %d rounds); median of the rounds' ratios %.2f",
                     module.count, Self.median(roundRatios))
    }

    private static func describe(_ records: Int, module: Double, kcat: Double) -> String {
        let (moduleRate, kcatRate) = (Double(records) / module, Double(records) / kcat)
        return String(format: "module %.0f msg/s (%.2f s), kcat %.0f msg/s (%.2f s), ratio %.2f",
                      moduleRate, module, kcatRate, kcat, moduleRate / kcatRate)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
