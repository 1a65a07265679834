extension InformaticaClient {
    /// Logs in once (or reuses the current session) and releases the session, without calling any endpoint.
    ///
    /// For operators' checks (`codetask-worker check`): it proves the login URL, the user name and the password
    /// (or the fixed session) are right. ``shutdown()`` logs out afterwards when the session mode has a logout
    /// (v3). No retry: one login, within the login timeout.
    /// - Throws: ``InformaticaFailure`` with category `rejected` and the login's status and error code; the
    ///   message never holds the password or the session id.
    public func logIn() async throws(InformaticaFailure) {
        let session: Session
        do {
            session = try await self.sessions.session()
        } catch {
            let details = self.sessions.redactor(error.details)
            throw InformaticaFailure(
                category: .rejected,
                httpStatus: error.status,
                code: details.code ?? "login_failed",
                message: "login failed: \(details.message)",
                requestId: details.requestId,
                attempts: []
            )
        }
        await self.sessions.release(sessionId: session.id)
    }
}
