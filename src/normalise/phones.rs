//! Phone numbers: 11-digit mobiles and landlines with area code, several per cell.
//!
//! Output forms: `13812345678` and `037168881234` (area code with its `0`, no separators).
//! Numbers without an area code, extensions and anything else are dropped: they cannot be
//! compared across departments.

/// Characters that always separate two numbers in one cell.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ',' | '，' | ';' | '；' | '/' | '／' | '、' | '|' | '\n' | '\r'
    )
}

/// The longest number a group of digits can be: `0086` + a 12-digit landline.
const MAX_DIGITS: usize = 16;

/// Every usable number in a cell, in order of appearance, without duplicates.
pub fn normalise_phones(raw: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for part in raw.split(is_separator) {
        // Digits of the part, and where each run of digits ends: spaces, dashes and
        // brackets may sit inside one number or between two, so runs are joined greedily.
        let mut digits: Vec<u8> = Vec::with_capacity(part.len());
        let mut run_ends: Vec<usize> = Vec::new();
        for c in part.chars() {
            match c {
                '0'..='9' => digits.push(c as u8),
                '０'..='９' => digits.push(b'0' + (c as u32 - '０' as u32) as u8),
                _ => {
                    if run_ends.last() != Some(&digits.len()) && !digits.is_empty() {
                        run_ends.push(digits.len());
                    }
                }
            }
        }
        if run_ends.last() != Some(&digits.len()) && !digits.is_empty() {
            run_ends.push(digits.len());
        }
        let mut start = 0;
        let mut run = 0;
        while run < run_ends.len() {
            let longest = (run..run_ends.len())
                .take_while(|&end| run_ends[end] - start <= MAX_DIGITS)
                .filter_map(|end| canonical(&digits[start..run_ends[end]]).map(|n| (end, n)))
                .last();
            match longest {
                Some((end, number)) => {
                    if !found.contains(&number) {
                        found.push(number);
                    }
                    run = end + 1;
                }
                None => run += 1,
            }
            start = run_ends[run - 1];
        }
    }
    found
}

/// The canonical form of one candidate digit string, if it is a phone number.
fn canonical(d: &[u8]) -> Option<String> {
    if is_mobile(d) || is_landline(d) {
        return Some(ascii(d));
    }
    let national = d.strip_prefix(b"0086").or_else(|| d.strip_prefix(b"86"))?;
    if is_mobile(national) {
        return Some(ascii(national));
    }
    // An international landline drops the area code's leading 0.
    let mut with_zero = Vec::with_capacity(national.len() + 1);
    with_zero.push(b'0');
    with_zero.extend_from_slice(national);
    is_landline(&with_zero).then(|| ascii(&with_zero))
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
}

/// `0` + area code (2 digits for 010 and 02x, else 3) + a 7- or 8-digit local number that
/// does not start with 0 or 1.
fn is_landline(d: &[u8]) -> bool {
    if d.len() < 10 || d[0] != b'0' || d[1] == b'0' {
        return false;
    }
    let area = if matches!(d[1], b'1' | b'2') { 3 } else { 4 };
    let local = &d[area..];
    let local_len_ok = if area == 3 {
        local.len() == 8
    } else {
        (7..=8).contains(&local.len())
    };
    local_len_ok && !matches!(local[0], b'0' | b'1')
}

fn ascii(d: &[u8]) -> String {
    d.iter().map(|&c| char::from(c)).collect()
}
