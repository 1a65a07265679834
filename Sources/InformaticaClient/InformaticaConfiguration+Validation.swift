import Foundation

extension InformaticaConfiguration {
    /// Checks every setting; the one place where configuration is validated.
    /// - Throws: ``ConfigurationError`` naming the first invalid setting.
    public func validate() throws(ConfigurationError) {
        try self.validateSession()
        try Self.require(self.retry.maxAttempts >= 1, "retry.maxAttempts", "must be at least 1")
        try Self.require(self.retry.initialBackoff >= .zero, "retry.initialBackoff", "must not be negative")
        try Self.require(self.retry.maxBackoff >= self.retry.initialBackoff, "retry.maxBackoff", "must be at least retry.initialBackoff")
        try Self.require(self.retry.multiplier >= 1, "retry.multiplier", "must be at least 1")
        try Self.require(self.retry.deadline > .zero, "retry.deadline", "must be positive")
        try Self.require(self.retry.attemptTimeout > .zero, "retry.attemptTimeout", "must be positive")
        if let rate = self.rateLimit {
            try Self.require(
                rate.startsPerSecond > 0 && rate.startsPerSecond.isFinite,
                "rateLimit.startsPerSecond",
                "must be a positive number"
            )
            try Self.require(rate.burst >= 1, "rateLimit.burst", "must be at least 1")
        }
        try Self.require(self.circuitBreaker.failureThreshold >= 1, "circuitBreaker.failureThreshold", "must be at least 1")
        try Self.require(self.circuitBreaker.openDuration > .zero, "circuitBreaker.openDuration", "must be positive")
        try Self.require(self.circuitBreaker.halfOpenProbes >= 1, "circuitBreaker.halfOpenProbes", "must be at least 1")
        try Self.require(self.http.maxConnectionsPerHost >= 1, "http.maxConnectionsPerHost", "must be at least 1")
        try Self.require(self.http.connectTimeout > .zero, "http.connectTimeout", "must be positive")
        try Self.require(self.http.maxResponseBodyBytes >= 1, "http.maxResponseBodyBytes", "must be at least 1")
        if let path = self.http.caBundlePath {
            try Self.require(
                FileManager.default.isReadableFile(atPath: path),
                "http.caBundlePath",
                "must be a readable PEM file, got \"\(path)\""
            )
        }
        if let proxy = self.http.proxy {
            try Self.require(!proxy.host.isEmpty, "http.proxy.host", "must not be empty")
            try Self.require((1...65535).contains(proxy.port), "http.proxy.port", "must be 1-65535")
            try Self.require(proxy.credentials?.username.isEmpty != true, "http.proxy.credentials", "needs a user name")
        }
        try Self.require(
            self.sessionSettings.idleLimit > self.sessionSettings.refreshMargin,
            "sessionSettings.idleLimit",
            "must exceed sessionSettings.refreshMargin"
        )
        try Self.require(self.sessionSettings.refreshMargin >= .zero, "sessionSettings.refreshMargin", "must not be negative")
        try Self.require(self.sessionSettings.loginTimeout > .zero, "sessionSettings.loginTimeout", "must be positive")
    }

    private func validateSession() throws(ConfigurationError) {
        switch self.session {
        case .identityService(let loginURL, let serverURL, let credentials):
            try Self.requireURL(loginURL, "session.loginURL")
            try Self.requireURL(serverURL, "session.serverURL")
            try Self.requireCredentials(credentials)
        case .v3(let loginURL, let credentials, let override):
            try Self.requireURL(loginURL, "session.loginURL")
            if let override { try Self.requireURL(override, "session.serverURLOverride") }
            try Self.requireCredentials(credentials)
        case .fixedSession(let sessionId, let serverURL):
            try Self.require(!sessionId.isEmpty, "session.sessionId", "must not be empty")
            try Self.require(!sessionId.value.contains(where: { $0.isNewline }), "session.sessionId", "must not contain line breaks")
            try Self.requireURL(serverURL, "session.serverURL")
        }
    }

    private static func requireCredentials(_ credentials: Credentials) throws(ConfigurationError) {
        try self.require(!credentials.username.isEmpty, "session.credentials.username", "must not be empty")
        try self.require(!credentials.password.isEmpty, "session.credentials.password", "must not be empty")
    }

    private static func requireURL(_ url: String, _ setting: String) throws(ConfigurationError) {
        let lowered = url.lowercased()
        let hasScheme = lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
        let host = url.drop(while: { $0 != "/" }).dropFirst(2).prefix(while: { $0 != "/" })
        try self.require(hasScheme && !host.isEmpty, setting, "must be an http:// or https:// URL with a host, got \"\(url)\"")
    }

    private static func require(_ condition: Bool, _ setting: String, _ message: String) throws(ConfigurationError) {
        if !condition { throw ConfigurationError(setting: setting, message: message) }
    }
}

extension String {
    /// The URL without trailing slashes, ready for appending a path.
    var trimmingTrailingSlashes: String {
        var result = Substring(self)
        while result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
