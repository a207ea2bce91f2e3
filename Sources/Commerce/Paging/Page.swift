/// One page of a longer list, with what a pager needs to link to the others.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    /// 1-based page number.
    public let page: Int
    public let perPage: Int
    /// Items on all pages together.
    public let totalCount: Int

    public init(items: [Item], page: Int, perPage: Int, totalCount: Int) {
        self.items = items
        self.page = page
        self.perPage = perPage
        self.totalCount = totalCount
    }

    /// Number of pages, at least 1 so an empty list still shows as "page 1 of 1".
    public var pageCount: Int {
        max(1, (totalCount + perPage - 1) / perPage)
    }

    public var hasPreviousPage: Bool { page > 1 }
    public var hasNextPage: Bool { page < pageCount }
}

extension Page: Equatable where Item: Equatable {}
