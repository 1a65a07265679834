public import CodetaskWorker
public import InformaticaSimulator

extension WorkerChild {
    /// The `CODETASK_*` variables that point a worker at a broker, its topics (journal too) and group, and the simulator
    /// (identity-service login; the password travels in the environment, never as a flag).
    public static func environment(
        brokers: String, group: String, topics: WorkerTopics, simulator: InformaticaSimulator
    ) -> [String: String] {
        [
            "CODETASK_BROKERS": brokers,
            "CODETASK_GROUP": group,
            "CODETASK_INPUT_TOPIC": topics.input,
            "CODETASK_OUTPUT_TOPIC": topics.output,
            "CODETASK_DLQ_TOPIC": topics.deadLetter,
            "CODETASK_JOURNAL_TOPIC": topics.journal,
            "CODETASK_LOGIN_MODE": "identity",
            "CODETASK_LOGIN_URL": simulator.baseURL,
            "CODETASK_SERVER_URL": simulator.baseURL,
            "CODETASK_USERNAME": simulator.configuration.username,
            "CODETASK_PASSWORD": simulator.configuration.password,
        ]
    }
}
