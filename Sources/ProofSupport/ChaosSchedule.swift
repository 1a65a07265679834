import Foundation

/// The faults of a chaos run, each at a time after the workers started, some for a duration.
///
/// Written as comma-separated `kind@start[+duration]` items with seconds, e.g.
/// `kill9@20s,term@40s,join@60s,leave@80s,broker-down@100s+5s,503@120s+10s,429@140s+5s,expire@150s,slow@160s+10s`.
public struct ChaosSchedule: Sendable, Hashable {
    /// A kind of fault.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `kill -9` of a worker, restarted at once.
        case kill9
        /// A graceful stop (SIGTERM) of a worker, restarted once it exited.
        case term
        /// One more worker joins the group.
        case join
        /// The last worker that joined stops gracefully.
        case leave
        /// Every broker of the mock cluster down for the duration.
        case brokerDown = "broker-down"
        /// Informatica answers 503 to most Start calls for the duration.
        case storm503 = "503"
        /// Informatica answers 429 with `Retry-After` to many Start calls for the duration.
        case burst429 = "429"
        /// Informatica forgets every session (the next calls get 401).
        case expire
        /// Informatica answers later than the attempt timeout for the duration.
        case slow

        /// Whether the fault lasts (needs `+duration`).
        public var lasts: Bool { [.brokerDown, .storm503, .burst429, .slow].contains(self) }
    }

    /// One scheduled fault.
    public struct Item: Sendable, Hashable, CustomStringConvertible {
        /// What happens.
        public var kind: Kind
        /// Seconds after the workers started.
        public var at: Double
        /// Seconds it lasts (0 for instant faults).
        public var duration: Double

        /// `kind@at[+duration]`.
        public var description: String {
            "\(self.kind.rawValue)@\(Self.seconds(self.at))" + (self.kind.lasts ? "+\(Self.seconds(self.duration))" : "")
        }

        private static func seconds(_ value: Double) -> String {
            value == value.rounded() ? "\(Int(value))s" : "\(value)s"
        }
    }

    /// The faults, by start time.
    public var items: [Item]

    /// Parses the schedule's text.
    /// - Throws: ``ProofError`` naming the item that is not `kind@seconds[+seconds]` with a known kind, or a
    ///   lasting fault without its duration.
    public init(parsing text: String) throws {
        var items: [Item] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let halves = part.split(separator: "@", maxSplits: 1).map(String.init)
            guard halves.count == 2, let kind = Kind(rawValue: halves[0]) else {
                throw ProofError("schedule item '\(part)': expected kind@seconds[+seconds], kind one of "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let times = halves[1].split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            guard times.count <= 2, let at = Self.seconds(times[0]), at >= 0 else {
                throw ProofError("schedule item '\(part)': the time is not a number of seconds")
            }
            let duration = times.count == 2 ? Self.seconds(times[1]) : 0
            guard let duration, duration >= 0, kind.lasts == (duration > 0) else {
                throw ProofError("schedule item '\(part)': " + (kind.lasts ? "needs a duration (+seconds)" : "takes no duration"))
            }
            items.append(Item(kind: kind, at: at, duration: duration))
        }
        self.items = items.sorted { $0.at < $1.at }
    }

    /// Seconds from `12`, `12s` or `1.5s`.
    private static func seconds(_ text: String) -> Double? {
        Double(text.hasSuffix("s") ? String(text.dropLast()) : text)
    }

    /// When the last fault has ended, in seconds after the start.
    public var end: Double { self.items.map { $0.at + $0.duration }.max() ?? 0 }
}
