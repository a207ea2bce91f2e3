import Commerce
import Foundation
import Testing

@Suite struct OutboxTests {
    private func mail(_ subject: String = "Hello") -> OutgoingMail {
        OutgoingMail(toAddress: " ana@example.com ", toName: "Ana", subject: subject, textBody: "Body", htmlBody: "<p>Body</p>", kind: .orderConfirmation)
    }

    @Test func enqueueThenClaim() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail())
        let stored = try #require(try store.outbox.find(id: id))
        #expect(stored.status == .queued)
        #expect(stored.attempts == 0)
        #expect(stored.mail.toAddress == "ana@example.com")
        #expect(stored.mail.htmlBody == "<p>Body</p>")
        #expect(stored.nextAttemptAt == store.clock.now)

        let claimed = try store.outbox.claimDue(limit: 10)
        #expect(claimed.map(\.id) == [id])
        #expect(claimed.first?.status == .sending)
        #expect(claimed.first?.attempts == 1)
        #expect(try store.outbox.claimDue(limit: 10).isEmpty)

        try store.outbox.markSent(id: id)
        let sent = try #require(try store.outbox.find(id: id))
        #expect(sent.status == .sent)
        #expect(sent.sentAt == store.clock.now)
        #expect(throws: OutboxError.notClaimed(id: id, status: .sent)) { try store.outbox.markSent(id: id) }
    }

    @Test func invalidMailIsRejected() throws {
        let store = try TestStore()
        var bad = mail("Line\r\nBcc: victim@example.com")
        bad.toName = "Ana\n"
        bad.textBody = " "
        let errors = try validationErrors { try store.outbox.enqueue(bad) }
        #expect(errors?["subject"] == ["Subject must not contain line breaks or control characters."])
        #expect(errors?["textBody"] == ["Text body is required; every mail has a plain-text part."])
        #expect(errors?["toName"].isEmpty == true)
        #expect(try store.count("outbox") == 0)
    }

    @Test func claimRespectsLimitAndDueTime() throws {
        let store = try TestStore()
        let ids = try (1...3).map { try store.outbox.enqueue(mail("Mail \($0)")) }
        #expect(try store.outbox.claimDue(limit: 2).map(\.id) == Array(ids.prefix(2)))
        #expect(try store.outbox.claimDue(limit: 0).isEmpty)
        #expect(try store.outbox.claimDue(limit: 5, now: store.clock.now.addingTimeInterval(-1)).isEmpty)
        #expect(try store.outbox.claimDue(limit: 5).map(\.id) == [ids[2]])
    }

    @Test func failureBacksOffExponentially() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail())
        var delays: [TimeInterval] = []

        for attempt in 1...7 {
            let claimed = try store.outbox.claimDue(limit: 1)
            #expect(claimed.first?.attempts == attempt)
            let failed = try store.outbox.markFailed(id: id, error: "451 try later")
            #expect(failed.status == .queued)
            #expect(failed.lastError == "451 try later")
            delays.append(failed.nextAttemptAt.timeIntervalSince(store.clock.now))

            store.clock.advance(by: delays.last! - 1)
            #expect(try store.outbox.claimDue(limit: 1).isEmpty)
            store.clock.advance(by: 1)
        }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1920])

        #expect(try store.outbox.claimDue(limit: 1).first?.attempts == 8)
        let final = try store.outbox.markFailed(id: id, error: "550 mailbox unavailable")
        #expect(final.status == .failed)
        #expect(final.attempts == 8)
        #expect(final.lastError == "550 mailbox unavailable")
        #expect(try store.outbox.failedCount() == 1)

        store.clock.advance(by: 24 * 3600)
        #expect(try store.outbox.claimDue(limit: 1).isEmpty)
        #expect(try store.outbox.find(id: id)?.status == .failed)
    }

    @Test func policyDelaysAreCapped() {
        let policy = Outbox.RetryPolicy.default
        #expect(policy.delay(afterAttempt: 1) == 30)
        #expect(policy.delay(afterAttempt: 8) == 3600)
        #expect(policy.delay(afterAttempt: 100) == 3600)
    }

    @Test func explicitRetryTimeIsUsed() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail())
        _ = try store.outbox.claimDue(limit: 1)
        let retryAt = store.clock.now.addingTimeInterval(600)
        let failed = try store.outbox.markFailed(id: id, error: String(repeating: "e", count: 5000), retryAt: retryAt)
        #expect(failed.nextAttemptAt == retryAt)
        #expect(failed.lastError?.count == Outbox.maximumErrorLength)
    }

    @Test func lapsedClaimIsClaimedAgain() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail())
        _ = try store.outbox.claimDue(limit: 1)

        store.clock.advance(by: Outbox.defaultClaimLease - 1)
        #expect(try store.outbox.claimDue(limit: 1).isEmpty)
        store.clock.advance(by: 1)
        let again = try store.outbox.claimDue(limit: 1)
        #expect(again.map(\.id) == [id])
        #expect(again.first?.attempts == 2)
    }

    @Test func lapsedLastClaimFails() throws {
        let store = try TestStore()
        let outbox = Outbox(database: store.database, retryPolicy: .init(maximumAttempts: 1, initialDelay: 30, maximumDelay: 60), now: store.clock.closure)
        let id = try outbox.enqueue(mail())
        _ = try outbox.claimDue(limit: 1)
        store.clock.advance(by: Outbox.defaultClaimLease)
        #expect(try outbox.claimDue(limit: 1).isEmpty)
        let message = try #require(try outbox.find(id: id))
        #expect(message.status == .failed)
        #expect(message.lastError == "The sender stopped during the last attempt without reporting a result.")
    }

    @Test func retryQueuesFailedMailAgain() throws {
        let store = try TestStore()
        let outbox = Outbox(database: store.database, retryPolicy: .init(maximumAttempts: 1, initialDelay: 30, maximumDelay: 60), now: store.clock.closure)
        let id = try outbox.enqueue(mail())
        _ = try outbox.claimDue(limit: 1)
        _ = try outbox.markFailed(id: id, error: "refused")

        store.clock.advance(by: 3600)
        let retried = try outbox.retry(id: id)
        #expect(retried.status == .queued)
        #expect(retried.attempts == 0)
        #expect(retried.nextAttemptAt == store.clock.now)
        #expect(try outbox.failedCount() == 0)
        #expect(throws: OutboxError.alreadyQueued(id: id)) { try outbox.retry(id: id) }
        #expect(try outbox.claimDue(limit: 1).map(\.id) == [id])
        #expect(throws: CommerceError.notFound(entity: "mail", id: "999")) { try outbox.retry(id: 999) }
    }

    @Test func markFailedNeedsAClaim() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail())
        #expect(throws: OutboxError.notClaimed(id: id, status: .queued)) {
            try store.outbox.markFailed(id: id, error: "x")
        }
    }

    @Test func listNewestFirstAndByStatus() throws {
        let store = try TestStore()
        var ids: [Int64] = []
        for index in 1...3 {
            ids.append(try store.outbox.enqueue(mail("Mail \(index)")))
            store.clock.advance(by: 1)
        }
        _ = try store.outbox.claimDue(limit: 1)
        try store.outbox.markSent(id: ids[0])

        let page = try store.outbox.list(page: 1, perPage: 2)
        #expect(page.items.map(\.id) == [ids[2], ids[1]])
        #expect(page.totalCount == 3)
        #expect(try store.outbox.list(status: .sent).items.map(\.id) == [ids[0]])
        #expect(try store.outbox.list(status: .queued).totalCount == 2)

        store.clock.advance(by: 30 * 24 * 3600)
        #expect(try store.outbox.purgeSent(olderThan: 30 * 24 * 3600) == 1)
        #expect(try store.count("outbox") == 2)
    }
}

@Suite struct OutboxBatchTests {
    private func mail(_ subject: String) -> OutgoingMail {
        OutgoingMail(toAddress: "ana@example.com", toName: "Ana", subject: subject, textBody: "Body", kind: .orderConfirmation)
    }

    @Test func markSentMarksWholeBatch() throws {
        let store = try TestStore()
        let ids = try (1...3).map { try store.outbox.enqueue(mail("Mail \($0)")) }
        #expect(try store.outbox.claimDue(limit: 10).map(\.id) == ids)
        store.clock.advance(by: 5)

        #expect(try store.outbox.markSent(ids: ids).isEmpty)
        for id in ids {
            let sent = try #require(try store.outbox.find(id: id))
            #expect(sent.status == .sent)
            #expect(sent.sentAt == store.clock.now)
        }
        #expect(try store.outbox.markSent(ids: []).isEmpty)
    }

    @Test func markSentSkipsUnclaimedIDs() throws {
        let store = try TestStore()
        let claimed = try store.outbox.enqueue(mail("Claimed"))
        _ = try store.outbox.claimDue(limit: 1)
        let queued = try store.outbox.enqueue(mail("Queued"))

        #expect(try store.outbox.markSent(ids: [queued, claimed, 999]) == [queued, 999])
        #expect(try store.outbox.find(id: claimed)?.status == .sent)
        #expect(try store.outbox.find(id: queued)?.status == .queued)
        #expect(try store.outbox.find(id: queued)?.sentAt == nil)
    }

    @Test func failedForGoodSkipsRemainingAttempts() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail("Hello"))
        _ = try store.outbox.claimDue(limit: 1)

        let failed = try store.outbox.markFailedForGood(id: id, error: "550 no such user " + String(repeating: "x", count: 2_000))
        #expect(failed.status == .failed)
        #expect(failed.attempts == 1)
        #expect(failed.lastError?.count == Outbox.maximumErrorLength)
        #expect(failed.lastError?.hasPrefix("550 no such user") == true)
        store.clock.advance(by: 24 * 60 * 60)
        #expect(try store.outbox.claimDue(limit: 1).isEmpty)
        #expect(try store.outbox.failedCount() == 1)
    }

    @Test func failedForGoodNeedsAClaim() throws {
        let store = try TestStore()
        let id = try store.outbox.enqueue(mail("Hello"))
        #expect(throws: OutboxError.notClaimed(id: id, status: .queued)) {
            try store.outbox.markFailedForGood(id: id, error: "x")
        }
        #expect(throws: CommerceError.notFound(entity: "mail", id: "999")) {
            try store.outbox.markFailedForGood(id: 999, error: "x")
        }
        #expect(try store.outbox.find(id: id)?.status == .queued)
    }

    @Test func nextDueTimeFollowsQueueAndClaims() throws {
        let store = try TestStore()
        #expect(try store.outbox.nextDueTime() == nil)

        let first = try store.outbox.enqueue(mail("First"))
        #expect(try store.outbox.nextDueTime() == store.clock.now)

        _ = try store.outbox.claimDue(limit: 1)
        #expect(try store.outbox.nextDueTime() == store.clock.now.addingTimeInterval(Outbox.defaultClaimLease))

        _ = try store.outbox.markFailed(id: first, error: "busy")
        #expect(try store.outbox.nextDueTime() == store.clock.now.addingTimeInterval(Outbox.RetryPolicy.default.delay(afterAttempt: 1)))

        store.clock.advance(by: 60)
        _ = try store.outbox.claimDue(limit: 1)
        try store.outbox.markSent(id: first)
        #expect(try store.outbox.nextDueTime() == nil)
    }
}
