import HTTPServer

/// Path parameters captured by a route pattern such as `/admin/products/:id/edit`.
public struct RouteParameters: Sendable {
    private var values: [String: String] = [:]

    init() {}

    mutating func set(_ name: String, _ value: String) {
        values[name] = value
    }

    public subscript(name: String) -> String? {
        values[name]
    }

    /// The parameter as a positive integer id, or a 404 when it is not one, so a handler
    /// never runs with `/admin/products/abc/edit`.
    public func id(_ name: String) throws -> Int64 {
        guard let text = values[name], let value = Int64(text), value > 0 else {
            throw HTTPError(.notFound, "No record with id \(values[name] ?? "") exists.")
        }
        return value
    }
}

/// Maps a method and a decoded path to a handler. Patterns are literal segments and
/// `:name` segments that capture one whole segment; literal segments win over captures.
public struct Router<Context>: Sendable {
    public typealias RouteHandler = @Sendable (Context, RouteParameters) throws -> Response

    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: RouteHandler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// The outcome of matching a request against the routes.
    public enum Match {
        case found(RouteHandler, RouteParameters)
        /// The path exists for other methods; the response is 405 with an `Allow` header.
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        precondition(pattern.hasPrefix("/"), "A route pattern starts with '/': \(pattern)")
        let segments = Self.split(pattern).map { piece -> Segment in
            piece.hasPrefix(":") ? .parameter(String(piece.dropFirst())) : .literal(piece)
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
        // Literal segments sort before captures so `/products/new` beats `/products/:id`.
        routes.sort { Self.specificity($0.segments) > Self.specificity($1.segments) }
    }

    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) {
        add(.get, pattern, handler)
    }

    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) {
        add(.post, pattern, handler)
    }

    public func match(_ method: HTTPMethod, path: String) -> Match {
        let pieces = Self.split(path)
        var allowed: [HTTPMethod] = []
        for route in routes {
            guard let parameters = Self.capture(route.segments, from: pieces) else { continue }
            // HEAD is answered by the GET handler; the server drops the body.
            if route.method == method || (method == .head && route.method == .get) {
                return .found(route.handler, parameters)
            }
            if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func capture(_ segments: [Segment], from pieces: [String]) -> RouteParameters? {
        guard segments.count == pieces.count else { return nil }
        var parameters = RouteParameters()
        for (segment, piece) in zip(segments, pieces) {
            switch segment {
            case .literal(let literal):
                guard literal == piece else { return nil }
            case .parameter(let name):
                parameters.set(name, piece)
            }
        }
        return parameters
    }

    private static func specificity(_ segments: [Segment]) -> Int {
        segments.reduce(0) { score, segment in
            if case .literal = segment { return score * 2 + 1 }
            return score * 2
        }
    }
}
