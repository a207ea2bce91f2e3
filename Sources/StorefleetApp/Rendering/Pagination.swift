import HTTPServer
import Templates

/// The links of a paginated list: previous, next and a window of page numbers with gaps.
struct Pagination {
    let page: Int
    let pageCount: Int
    /// The list's path, such as `/admin/products`.
    let path: String
    /// The query parameters to keep on every link (search, sort), without `page`.
    let query: [(String, String)]

    func url(for number: Int) -> String {
        var pairs = query.filter { !$0.1.isEmpty }
        if number > 1 { pairs.append(("page", String(number))) }
        guard !pairs.isEmpty else { return path }
        let encoded = pairs.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }
        return path + "?" + encoded.joined(separator: "&")
    }

    /// Page numbers to show: the first, the last, and two on each side of the current one.
    func visibleNumbers() -> [Int?] {
        guard pageCount > 1 else { return [] }
        var numbers: [Int?] = []
        var previous = 0
        for number in 1...pageCount where number == 1 || number == pageCount || abs(number - page) <= 2 {
            if number - previous > 1 { numbers.append(nil) }
            numbers.append(number)
            previous = number
        }
        return numbers
    }

    func templateValue(previousLabel: String, nextLabel: String) -> TemplateValue {
        let pages: [TemplateValue] = visibleNumbers().map { number in
            guard let number else { return ["isGap": true] }
            return ["number": .int(number), "url": .string(url(for: number)), "isCurrent": .bool(number == page)]
        }
        return [
            "hasPages": .bool(pageCount > 1),
            "previousURL": page > 1 ? .string(url(for: page - 1)) : .null,
            "nextURL": page < pageCount ? .string(url(for: page + 1)) : .null,
            "previousLabel": .string(previousLabel),
            "nextLabel": .string(nextLabel),
            "pages": .array(pages),
        ]
    }
}

extension Request {
    /// The `page` query parameter as a page number; anything that is not a positive number
    /// is page 1, so a hand-edited link still shows a list.
    var pageNumber: Int {
        guard let text = query["page"], let number = Int(text), number > 0, number < 1_000_000 else { return 1 }
        return number
    }
}
