import HTTPServer
import Templates

/// A request to the platform's own host (the platform domain or `www.` on it).
struct PlatformRequest {
    let request: Request
    let app: Application
}

/// The platform's own pages.
enum PlatformController {
    static func routes() -> Router<PlatformRequest> {
        var router = Router<PlatformRequest>()
        router.get("/") { context, _ in
            let app = context.app
            let demo = try app.catalog.store(slug: DemoStore.slug)
            return try app.renderer.render("platform/home", [
                "demoURL": demo.map { .string(app.configuration.storeURL(slug: $0.slug)) } ?? .null,
                "demoAdminURL": demo.map { .string(app.configuration.storeURL(slug: $0.slug, path: "/admin")) } ?? .null,
            ])
        }
        router.get("/health") { context, _ in
            _ = try context.app.catalog.storeCount()
            return .text("ok\n")
        }
        return router
    }
}
