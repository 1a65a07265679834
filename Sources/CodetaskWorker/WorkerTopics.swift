/// The topics the worker uses: input, output, dead letter, and its own attempt journal.
public struct WorkerTopics: Sendable, Hashable {
    /// Start requests are read from here. Default `codetask.start.requests`.
    public var input: String = "codetask.start.requests"
    /// Job events are written here. Default `codetask.job.events`.
    public var output: String = "codetask.job.events"
    /// Records that are not valid requests are copied here. Default `codetask.start.dlq`.
    public var deadLetter: String = "codetask.start.dlq"
    /// The attempt journal (see ``WorkerConfiguration/attemptJournal``): one partition per input partition, created
    /// at start-up when missing. Default `codetask.start.journal`.
    public var journal: String = "codetask.start.journal"

    /// The defaults.
    public init() {}

    /// Creates a set of topics; the journal defaults to `<input>.journal`.
    public init(input: String, output: String, deadLetter: String, journal: String? = nil) {
        self.input = input
        self.output = output
        self.deadLetter = deadLetter
        self.journal = journal ?? "\(input).journal"
    }

    /// Input, output and dead letter, input first (the journal is the worker's own, created when missing).
    public var all: [String] { [self.input, self.output, self.deadLetter] }
}
