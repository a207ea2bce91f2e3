import Foundation
import Testing
@testable import Tenancy

@Suite struct PlanTests {
    @Test func limitsMatchPublishedPlans() {
        #expect(Plan.plus.limits == PlanLimits(staffAccounts: .upTo(2), products: .upTo(1_000), customDomains: .upTo(1), jsonAPI: .unavailable))
        #expect(Plan.pro.limits == PlanLimits(staffAccounts: .upTo(5), products: .upTo(10_000), customDomains: .upTo(3), jsonAPI: .available(requestsPerMinute: 240)))
        #expect(Plan.premium.limits == PlanLimits(staffAccounts: .unlimited, products: .unlimited, customDomains: .upTo(10), jsonAPI: .available(requestsPerMinute: 600)))
    }

    @Test func limitAllowsAddingBelowMaximumOnly() {
        #expect(PlanLimit.upTo(2).allowsAdding(to: 1))
        #expect(!PlanLimit.upTo(2).allowsAdding(to: 2))
        #expect(!PlanLimit.upTo(2).allowsAdding(to: 3))
        #expect(PlanLimit.unlimited.allowsAdding(to: 1_000_000))
    }

    @Test func jsonAPIFeatureFollowsPlan() {
        #expect(!Plan.plus.includes(.jsonAPI))
        #expect(Plan.pro.includes(.jsonAPI))
        #expect(Plan.premium.includes(.jsonAPI))
        for plan in Plan.allCases {
            #expect(plan.includes(.customerAccounts))
            #expect(plan.includes(.analytics))
        }
    }

    @Test func parsingPlanAndStatus() throws {
        #expect(try Plan(parsing: " Pro ") == .pro)
        #expect(throws: PlanError(text: "gold")) { try Plan(parsing: "gold") }
        #expect(PlanError(text: "gold").description == "Unknown plan \"gold\": use one of plus, pro, premium.")
        #expect(try StoreStatus(parsing: "SUSPENDED") == .suspended)
        #expect(throws: StoreStatusError(text: "paused")) { try StoreStatus(parsing: "paused") }
    }

    @Test func trialLastsFourteenDays() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(Trial.end(startingAt: start).timeIntervalSince(start) == 1_209_600)
    }

    @Test func settableClockMovesOnlyWhenTold() {
        let clock = SettableClock(Date(timeIntervalSince1970: 100))
        #expect(clock.now() == Date(timeIntervalSince1970: 100))
        clock.advance(by: 50)
        #expect(clock.now() == Date(timeIntervalSince1970: 150))
        clock.set(Date(timeIntervalSince1970: 7))
        #expect(clock.now() == Date(timeIntervalSince1970: 7))
    }
}
