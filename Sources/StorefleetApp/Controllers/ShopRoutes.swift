import HTTPServer

/// The shopper's buying routes: cart, checkout and order pages.
enum ShopRoutes {
    static func register(_ router: inout Router<StoreRequest>) {
        CartController.register(&router)
        CheckoutController.register(&router)
        OrderStatusController.register(&router)
    }
}
