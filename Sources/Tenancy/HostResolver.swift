import Foundation
import Synchronization

/// The target of a request's `Host` header.
public enum HostResolution: Sendable, Equatable {
    /// The platform's own site: the platform domain itself or `www.` on it.
    case platform
    /// A store, by its `<slug>.<platform domain>` address or one of its custom domains.
    /// The app still checks `status` and `state` before serving it.
    case store(StoreRecord)
    /// A valid name that no store uses. The app responds with the platform's 404 page.
    case unknown(hostname: String)
    /// A header that names no host the platform could serve. The app responds with
    /// 400 Bad Request.
    case invalid(InvalidHost)
}

/// The reason a `Host` header resolves to `.invalid`.
public enum InvalidHost: Sendable, Equatable, CustomStringConvertible {
    /// The header is not a valid host name (see `HostName.normalize`).
    case malformed(HostNameError)
    /// The header is an IPv4 or IPv6 address. Stores are served only under names, so a
    /// request by address names no store.
    case ipAddress(NormalizedHost)

    public var description: String {
        switch self {
        case .malformed(let error):
            error.description
        case .ipAddress(let address):
            "The host \(address) is an IP address. Stores are served only under their names: use the store's address, such as demo.shop.example."
        }
    }
}

/// Maps `Host` headers to the platform site or a store, with an in-memory cache.
///
/// The cache is shared by all threads and emptied at once when the catalog changes. On each
/// call the resolver compares `Catalog.changeStamp()`, which changes with commits through
/// the same `Catalog` object. Through `PRAGMA data_version` it also changes with commits
/// from any other connection, such as the command line run while the server serves.
public final class HostResolver: Sendable {
    public let catalog: Catalog
    public let platformDomain: String

    /// Names kept in the cache at most. Unknown names are cached too, so that a flood of
    /// made-up hosts costs no catalog query each; when the cache is full it is emptied.
    public let maximumCachedNames: Int

    private struct Cache {
        var stamp: Catalog.ChangeStamp?
        var entries: [String: Entry] = [:]
        var statistics = Statistics()
    }

    private enum Entry {
        case store(StoreRecord)
        case unknown
    }

    /// Counters for benchmarks and the operator console.
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        /// How often a change in the catalog emptied the cache.
        public var invalidations = 0
    }

    private let cache = Mutex(Cache())

    public init(catalog: Catalog, maximumCachedNames: Int = 10_000) {
        precondition(maximumCachedNames >= 1, "the host cache must hold at least one name")
        self.catalog = catalog
        self.platformDomain = catalog.platformDomain
        self.maximumCachedNames = maximumCachedNames
    }

    public var statistics: Statistics {
        cache.withLock { $0.statistics }
    }

    /// Resolves a raw `Host` header value.
    ///
    /// A store whose trial has ended is recorded as expired before it is returned. A store
    /// that is still being created resolves to `.unknown`. Throws only when the catalog
    /// cannot be read.
    public func resolve(_ hostHeader: String) throws -> HostResolution {
        let host: NormalizedHost
        do {
            host = try HostName.normalize(hostHeader)
        } catch {
            return .invalid(.malformed(error))
        }
        guard case .name(let name) = host else {
            return .invalid(.ipAddress(host))
        }
        if name == platformDomain || name == "www." + platformDomain {
            return .platform
        }

        let stamp = try catalog.changeStamp()
        let cached: Entry? = cache.withLock { cache in
            if cache.stamp != stamp {
                if cache.stamp != nil { cache.statistics.invalidations += 1 }
                cache.entries.removeAll(keepingCapacity: true)
                cache.stamp = stamp
            }
            let entry = cache.entries[name]
            if entry == nil {
                cache.statistics.misses += 1
            } else {
                cache.statistics.hits += 1
            }
            return entry
        }

        let entry = try cached ?? lookUp(name, stamp: stamp)
        switch entry {
        case .unknown:
            return .unknown(hostname: name)
        case .store(let record):
            if record.trialHasEnded(at: catalog.clock.now()) {
                return .store(try catalog.expireTrialIfEnded(record))
            }
            return .store(record)
        }
    }

    /// Empties the cache. Resolution does this by itself on every catalog change; this is
    /// for tools that edit the catalog file by means other than SQLite connections.
    public func invalidate() {
        cache.withLock { cache in
            cache.entries.removeAll()
            cache.stamp = nil
        }
    }

    /// Looks `name` up in the catalog and caches the result under `stamp`, unless the
    /// catalog changed meanwhile, since the result may then be stale already.
    private func lookUp(_ name: String, stamp: Catalog.ChangeStamp) throws -> Entry {
        let record: StoreRecord?
        let suffix = "." + platformDomain
        if name.hasSuffix(suffix) {
            // Only one label may stand before the platform domain: `a.b.shop.test` is no
            // store's address. The suffix includes its dot, so `evilshop.test` never
            // matches `shop.test`.
            let label = name.dropLast(suffix.count)
            record = label.contains(".") ? nil : try catalog.store(slug: String(label))
        } else {
            record = try catalog.store(domain: name)
        }

        let entry: Entry
        if let record, record.state != .provisioning {
            entry = .store(record)
        } else {
            entry = .unknown
        }

        cache.withLock { cache in
            guard cache.stamp == stamp else { return }
            if cache.entries.count >= maximumCachedNames {
                cache.entries.removeAll(keepingCapacity: true)
            }
            cache.entries[name] = entry
        }
        return entry
    }
}
