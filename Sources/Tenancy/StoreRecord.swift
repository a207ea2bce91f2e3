import Foundation

/// One store as the catalog lists it.
public struct StoreRecord: Sendable, Equatable {
    /// The permanent id, such as `st_k3q7x2m9p4r8t6vw`, which names the store's folder.
    public let id: String
    /// The address label: the store is served at `<slug>.<platform domain>`.
    public var slug: String
    public var name: String
    public var plan: Plan
    public var status: StoreStatus
    /// The end of the free trial, or nil for a store that never had one.
    public var trialEndsAt: Date?
    public var ownerEmail: String
    public var createdAt: Date
    /// The last request served for the store, written at most once a minute per process
    /// (see `Catalog.touch(_:)`).
    public var lastActiveAt: Date?
    public var state: ProvisioningState
    /// The problem of a damaged store and the operator's next step; nil unless `state` is
    /// `.damaged`.
    public var damage: String?

    /// Whether the trial has ended for a store that is still marked as trialing.
    public func trialHasEnded(at now: Date) -> Bool {
        guard status == .trialing, let trialEndsAt else { return false }
        return trialEndsAt <= now
    }
}

/// The stage of a store's creation, which is all or nothing, or its damage.
public enum ProvisioningState: String, Sendable, CaseIterable, Codable {
    /// The catalog row exists but the store's file is not complete yet. Such a store is
    /// never served. A crash leaves it in this state until `StoreCheck` repairs it.
    case provisioning
    /// The store's file is complete and the store is served according to its status.
    case ready
    /// The store's file was found missing or unreadable after the store was ready. The
    /// app shows a "store unavailable" page until an operator restores the file.
    case damaged
}
