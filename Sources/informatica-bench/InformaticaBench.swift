import ArgumentParser
import Foundation
import InformaticaClient
import InformaticaSimulator
import Logging

/// Measures Start calls per second of the client against the simulator (zero latency, keep-alive),
/// and of wrk sending the same request over the same number of connections, in one run.

@main
struct InformaticaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informatica-bench",
        abstract: "Start calls per second: InformaticaClient vs wrk against the simulator. Build with -c release."
    )

    @Option(help: "Keep-alive connections (client pool limit, wrk -c).") var connections = 16
    @Option(help: "Seconds measured per contender.") var duration = 10
    @Option(help: "Seconds of warm-up before the client run.") var warmup = 2
    @Option(help: "wrk threads.") var wrkThreads = 2
    @Option(help: "Path of the wrk binary.") var wrk = "/usr/bin/wrk"
    @Option(help: "Use a running simulator at this URL instead of an in-process one.") var simulatorURL: String?
    @Option(help: "Rounds of client and wrk, back to back (the order alternates), to pair their rates.") var rounds = 3
    @Flag(help: "Skip the AsyncHTTPClient baseline.") var noBaselines = false

    func run() async throws {
        try await self.measure()
    }

    /// Runs both contenders in paired rounds and prints their rates, the ratios and their median.
    ///
    /// The machine may be shared: measuring the client and wrk back to back within a round, in
    /// alternating order, and taking the median of the rounds' ratios keeps load that comes and goes
    /// from favouring one side.
    func measure() async throws {
        var logger = Logger(label: "informatica-bench")
        logger.logLevel = .warning
        let simulator: InformaticaSimulator? = self.simulatorURL == nil ? try await InformaticaSimulator.start(logger: logger) : nil
        let baseURL = self.simulatorURL ?? simulator!.baseURL
        let credentials = Credentials(username: "sim-user", password: Secret("sim-password"))
        print("simulator: \(baseURL) (zero latency), connections: \(self.connections), duration: \(self.duration) s, rounds: \(self.rounds)")

        var configuration = InformaticaConfiguration(
            session: .identityService(loginURL: baseURL, serverURL: baseURL, credentials: credentials)
        )
        configuration.http.maxConnectionsPerHost = self.connections
        let client = try InformaticaClient(configuration: configuration, logger: logger)
        _ = await self.loop(client, seconds: self.warmup)
        let sessionId = try await BenchLogin.sessionId(baseURL: baseURL, credentials: credentials)
        let startURL = baseURL + "/disnext/api/v1/CodeTask/Start"
        let wrk = WrkRunner(path: self.wrk, threads: self.wrkThreads, connections: self.connections, seconds: self.duration)

        var rates: [(client: Double, wrk: Double)] = []
        for round in 1...max(1, self.rounds) {
            var clientRate = 0.0
            var wrkRate = 0.0
            if round % 2 == 1 {
                clientRate = await self.measureClient(client)
                wrkRate = try wrk.run(url: startURL, sessionId: sessionId, codeTaskId: "bench-task")
            } else {
                wrkRate = try wrk.run(url: startURL, sessionId: sessionId, codeTaskId: "bench-task")
                clientRate = await self.measureClient(client)
            }
            rates.append((clientRate, wrkRate))
            print(String(format: "round %d: InformaticaClient %.0f, wrk %.0f Start calls/s, ratio %.2f", round, clientRate, wrkRate, clientRate / wrkRate))
        }
        await client.shutdown()

        if !self.noBaselines {
            let rawRate = try await RawStartLoop(url: startURL, sessionId: sessionId, connections: self.connections).run(seconds: self.duration)
            print(String(format: "AsyncHTTPClient alone (same request, no client logic): %.0f Start calls/s", rawRate))
        }
        print(String(format: "InformaticaClient: %.0f Start calls/s (median of rounds)", Self.median(rates.map(\.client))))
        print(String(format: "wrk:               %.0f Start calls/s (median of rounds)", Self.median(rates.map(\.wrk))))
        print(String(format: "ratio client/wrk:  %.2f (median of the rounds' paired ratios)", Self.median(rates.map { $0.client / $0.wrk })))
        try await simulator?.shutdown()
    }

    /// Runs `connections` concurrent loops of Start calls for the duration; returns successful calls per second.
    private func measureClient(_ client: InformaticaClient) async -> Double {
        let started = ContinuousClock.now
        let (succeeded, failed) = await self.loop(client, seconds: self.duration)
        let elapsed = (ContinuousClock.now - started).components
        if failed > 0 { print("InformaticaClient: \(failed) calls failed") }
        return Double(succeeded) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func loop(_ client: InformaticaClient, seconds: Int) async -> (Int, Int) {
        let end = ContinuousClock.now + .seconds(seconds)
        return await withTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<self.connections {
                group.addTask {
                    var succeeded = 0
                    var failed = 0
                    while ContinuousClock.now < end {
                        if await client.startCodeTask(codeTaskId: "bench-\(worker)").jobId != nil { succeeded += 1 } else { failed += 1 }
                    }
                    return (succeeded, failed)
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
    }
}
