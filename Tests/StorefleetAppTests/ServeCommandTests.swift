import Foundation
import StorefleetApp
import Testing

/// `storefleet serve` run as its own process, for what the in-process `TestApp` cannot show:
/// the command's own start-up, such as the port it reports and writes into links.
@Suite struct ServeCommandTests {
    @Test func portZeroLinksUseTheRealPort() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let port = server.port
        let demoHost = "\(DemoStore.slug).\(TestApp.platformDomain)"
        let demoURL = "http://\(demoHost):\(port)/"
        #expect(server.text.contains("Demo store:  \(demoURL)"))

        // The platform home links to the demo store, which serve created in the empty folder.
        let browser = HTTPClient(port: port)
        let home = try browser.get("/", host: TestApp.platformDomain)
        #expect(home.status == 200)
        let homeLinks = HTML.links(in: home.text)
        #expect(homeLinks.contains(demoURL), "\(homeLinks)")
        #expect(homeLinks.contains(demoURL + "admin"), "\(homeLinks)")
        #expect(!home.text.contains(":0/"))

        // The admin's own address, and a new invitation's link, carry the same port.
        try browser.logIn(host: demoHost, email: DemoStore.ownerEmail, password: DemoStore.password)
        let dashboard = try browser.get("/admin", host: demoHost)
        #expect(dashboard.status == 200)
        #expect(HTML.links(in: dashboard.text).contains(demoURL))
        let invited = try browser.submit("/admin/staff", host: demoHost, formPath: "/admin/staff", fields: [
            ("name", "Ivy Invitee"), ("email", "ivy@demo.example"), ("password", ""),
        ])
        #expect(invited.status == 200)
        let link = try #require(HTML.inputValue(id: "invitation-url", in: invited.text))
        let prefix = demoURL + "admin/invitations/"
        try #require(link.hasPrefix(prefix), "\(link)")

        // The link works as written, Host field with port and all.
        let invitation = try HTTPClient(port: port).get("/" + link.dropFirst(demoURL.count), host: "\(demoHost):\(port)")
        #expect(invitation.status == 200)
        #expect(invitation.pageText.contains("Join \(DemoStore.name)"))
    }

    @Test func bannerHidesChangedDemoPassword() throws {
        let data = FileManager.default.temporaryDirectory
            .appendingPathComponent("storefleet-serve-tests-" + UUID().uuidString, isDirectory: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let demoHost = "\(DemoStore.slug).\(TestApp.platformDomain)"

        let first = try ServerProcess(dataDirectory: data)
        #expect(first.text.contains("Demo login:  \(DemoStore.ownerEmail) / \(DemoStore.password)"))
        let owner = HTTPClient(port: first.port)
        try owner.logIn(host: demoHost, email: DemoStore.ownerEmail, password: DemoStore.password)
        let changed = try owner.submit("/admin/account/password", host: demoHost, formPath: "/admin/account", fields: [
            ("current_password", DemoStore.password), ("new_password", "a private password 42"),
            ("confirm_password", "a private password 42"),
        ])
        #expect(changed.status == 303 || changed.status == 200, "\(changed.status)")
        first.stop()

        // The published password no longer works, so the next start does not print it.
        let second = try ServerProcess(dataDirectory: data)
        defer { second.stop() }
        #expect(second.text.contains("Demo login:  \(DemoStore.ownerEmail) (its password was changed from the default)"))
        #expect(!second.text.contains(DemoStore.password))
    }

    @Test func sigtermStopsTheServerCleanly() throws {
        let server = try ServerProcess(arguments: ["--no-demo"])
        defer { server.stop() }
        #expect(try HTTPClient(port: server.port).get("/health", host: TestApp.platformDomain).text == "ok\n")

        // ServerProcess starts the server with SIGINT and SIGTERM blocked, as a parent that
        // blocks them passes on, and stop() sends SIGTERM.
        let status = server.stop()
        #expect(status == 0, "\(server.text)")
        #expect(server.text.contains("event=server_stopped forced=false"))
    }
}
