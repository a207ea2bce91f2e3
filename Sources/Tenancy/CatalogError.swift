/// A catalog change that was rejected. `description` states what was wrong and what to do.
public enum CatalogError: Error, Equatable, CustomStringConvertible {
    case storeNotFound(id: String)
    case slugTaken(slug: String)
    case invalidDomain(hostname: String, reason: String)
    case domainUnderPlatform(hostname: String, platformDomain: String)
    case domainTaken(hostname: String)
    case domainAlreadyAdded(hostname: String, storeID: String)
    case domainNotFound(hostname: String, storeID: String)
    case domainLimitReached(storeID: String, plan: Plan, limit: Int)
    case invalidPageSize(Int)
    case invalidPlatformDomain(String, reason: String)

    public var description: String {
        switch self {
        case .storeNotFound(let id):
            return "No store has the id \(id.quotedForMessage()). List the stores to find the right id."
        case .slugTaken(let slug):
            return "The address \(slug) is already taken. Choose another address."
        case .invalidDomain(let hostname, let reason):
            return "The domain \(hostname.quotedForMessage()) cannot be used: \(reason). Enter a host name such as shop.example.com."
        case .domainUnderPlatform(let hostname, let platformDomain):
            return "The domain \(hostname.quotedForMessage()) is part of the platform domain \(platformDomain). Change the store's address instead, or enter a domain of your own."
        case .domainTaken(let hostname):
            return "The domain \(hostname) is already connected to another store. Remove it there first, or enter another domain."
        case .domainAlreadyAdded(let hostname, let storeID):
            return "The domain \(hostname) is already connected to store \(storeID)."
        case .domainNotFound(let hostname, let storeID):
            return "The domain \(hostname.quotedForMessage()) is not connected to store \(storeID). List the store's domains to see which ones are."
        case .domainLimitReached(let storeID, let plan, let limit):
            return "Store \(storeID) already has \(limit) custom domain\(limit == 1 ? "" : "s"), the limit of the \(plan.displayName) plan. Remove a domain or move to a larger plan."
        case .invalidPageSize(let size):
            return "A page of stores must contain 1 to \(Catalog.maximumPageSize) stores, not \(size)."
        case .invalidPlatformDomain(let domain, let reason):
            return "The platform domain \(domain.quotedForMessage()) is invalid: \(reason). Set it to a name such as shop.example or localhost."
        }
    }
}
