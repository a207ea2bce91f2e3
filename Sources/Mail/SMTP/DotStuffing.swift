/// Transparency for the DATA content (RFC 5321, section 4.5.2): a line that starts with a
/// period gets one more period, so no content line reads as the end-of-data `.` line.
enum DotStuffing {
    /// Returns `content` with each line that starts with "." prefixed by another ".",
    /// ending with CRLF (added when missing) followed by the end-of-data line `.` CRLF.
    static func apply(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + content.count / 64 + 5)
        var atLineStart = true
        for byte in content {
            if atLineStart && byte == UInt8(ascii: ".") {
                output.append(UInt8(ascii: "."))
            }
            output.append(byte)
            atLineStart = byte == 10
        }
        if !output.ends(with: [13, 10]) {
            output += [13, 10]
        }
        output += [UInt8(ascii: "."), 13, 10]
        return output
    }
}
