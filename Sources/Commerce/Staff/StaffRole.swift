/// The permission level of a staff member in the admin. The app enforces the permissions.
/// Commerce enforces only that a store has one owner, who cannot be removed.
public enum StaffRole: String, Sendable, CaseIterable {
    /// Created at provisioning, one per store: everything, including the plan and billing.
    case owner
    /// Everything except the plan and billing, including managing staff and settings.
    case admin
    /// Products, orders and customers, but not staff or settings.
    case staff

    /// The roles that `add` and `invite` accept; the owner exists once, from provisioning.
    public static let assignable: [StaffRole] = [.admin, .staff]
}
