extension String {
    /// Quotes the text for use inside a message or log line. Control characters and quotes
    /// are escaped so that a hostile value cannot break the line, and the text is cut after
    /// `maximumLength` characters.
    func quotedForMessage(maximumLength: Int = 80) -> String {
        var result = "\""
        for (index, character) in self.enumerated() {
            if index == maximumLength {
                result += "…"
                break
            }
            for scalar in character.unicodeScalars {
                switch scalar {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                default: result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
