/// The three topics the worker uses.
public struct WorkerTopics: Sendable, Hashable {
    /// Start requests are read from here. Default `codetask.start.requests`.
    public var input: String = "codetask.start.requests"
    /// Job events are written here. Default `codetask.job.events`.
    public var output: String = "codetask.job.events"
    /// Records that are not valid requests are copied here. Default `codetask.start.dlq`.
    public var deadLetter: String = "codetask.start.dlq"

    /// The defaults.
    public init() {}

    /// Creates a set of topics.
    public init(input: String, output: String, deadLetter: String) {
        self.input = input
        self.output = output
        self.deadLetter = deadLetter
    }

    /// All three, input first.
    public var all: [String] { [self.input, self.output, self.deadLetter] }
}
