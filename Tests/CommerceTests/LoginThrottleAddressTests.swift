@testable import Commerce
import Testing

@Suite struct LoginThrottleAddressTests {
    @Test(arguments: [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5 ", "203.0.113.5"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("2001:DB8:0:1:abcd:1:2:3", "2001:db8:0:1::/64"),
        ("::1", "0:0:0:0::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("unix-socket", "unix-socket"),
    ])
    func addressKey(address: String, expected: String) {
        #expect(LoginThrottle.addressKey(address) == expected)
    }
}
