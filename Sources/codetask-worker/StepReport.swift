/// Prints an operator command's steps, one line each: `check: <step>: ok (<detail>)` or
/// `check: <step>: FAILED: <reason>`, and remembers whether any failed.
struct StepReport {
    /// The command's name, the first word of each line.
    let command: String
    /// Whether a step failed.
    private(set) var failed = false

    init(command: String) {
        self.command = command
    }

    /// A step that worked.
    func ok(_ step: String, _ detail: String? = nil) {
        print("\(self.command): \(step): ok" + (detail.map { " (\($0))" } ?? ""))
    }

    /// A step that failed, with the reason (which must hold no secret).
    mutating func failure(_ step: String, _ reason: String) {
        self.failed = true
        print("\(self.command): \(step): FAILED: \(reason)")
    }

    /// A step not run, and why.
    func skipped(_ step: String, _ reason: String) {
        print("\(self.command): \(step): skipped (\(reason))")
    }
}
