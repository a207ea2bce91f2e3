/// Formats a count with "," between groups of three digits ("10,000"), as the English admin
/// pages and error messages show numbers.
func formatWithGrouping(_ number: Int) -> String {
    let digits = String(number.magnitude)
    var result = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 {
            result.append(",")
        }
        result.append(digit)
    }
    return number < 0 ? "-" + result : result
}
