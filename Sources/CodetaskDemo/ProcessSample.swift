import Foundation

/// A process's CPU time and resident memory, read from `/proc` (Linux): for the worker benchmark and the
/// adversarial-input test, which watch a worker child process.
public struct ProcessSample: Sendable {
    /// User plus system CPU seconds so far.
    public var cpuSeconds: Double
    /// Peak resident set size (VmHWM), in MiB.
    public var peakMemoryMiB: Double
    /// Current resident set size (VmRSS), in MiB.
    public var residentMemoryMiB: Double
    /// Context switches so far (voluntary and not) of the threads alive now, summed: a thread switched out
    /// costs a kernel round trip, so their count per request is part of a request's cost.
    public var contextSwitches: Int = 0

    /// The process's sample now; `nil` when `/proc` has no such process (or cannot be read).
    public static func read(pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        func mebibytes(_ field: String) -> Double {
            let kibibytes = status.split(separator: "\n").first { $0.hasPrefix(field) }
                .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Double($0) } ?? 0
            return kibibytes / 1024
        }
        return ProcessSample(
            cpuSeconds: (user + system) / ticks, peakMemoryMiB: mebibytes("VmHWM:"), residentMemoryMiB: mebibytes("VmRSS:"),
            contextSwitches: Self.contextSwitches(pid: pid))
    }

    /// The voluntary and non-voluntary context switches of every thread of `pid` alive now.
    private static func contextSwitches(pid: Int32) -> Int {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return threads.reduce(0) { total, thread in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8) else { return total }
            return total + status.split(separator: "\n").reduce(0) { sum, line in
                guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return sum }
                return sum + (line.split(separator: "\t").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0)
            }
        }
    }
}
