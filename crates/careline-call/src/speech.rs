//! Values as words a phone caller understands when a text-to-speech engine reads them (US English).
//!
//! Every function here is pure and total: no I/O, the same input always gives the same words, and
//! no input panics. Numbers come out as words ("twenty-five"), never as numerals the TTS engine
//! might read its own way; the one exception is [`digits`], which reads a code one character at a
//! time and leaves each digit as a numeral so the engine says it as a single digit.
//!
//! US conventions throughout: no "and" inside numbers ("one hundred one"), tens and units joined
//! with a hyphen ("twenty-one"), no Oxford comma in lists ("a, b and c").

use chrono::{Datelike, NaiveDate, Weekday};

pub(crate) const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

pub(crate) const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Scale words for successive groups of three digits; `u64::MAX` needs seven groups.
const SCALES: [&str; 7] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
];

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A code read one character at a time: "10000001" → "1 0 0 0, 0 0 0 1", "1Z99" → "1 Z 9 9".
///
/// Only ASCII letters and digits are spoken. Letters come out as capitals so the engine says the
/// letter's name; digits stay numerals so it says each one alone. Everything else (spaces, dashes,
/// dots, parentheses, other characters) is a separator the caller does not need to hear and is
/// dropped, so "555-0100" and "555 0100" read the same. Nothing to read gives "".
///
/// Grouping, so the engine pauses where a listener can keep up: up to five characters are one
/// group. From six on, the code is split into the fewest groups of at most four, every group three
/// or four long, the three-long groups first; groups are joined with ", ". That gives 6 → 3+3,
/// 7 → 3+4, 8 → 4+4, 9 → 3+3+3, 10 → 3+3+4 (a US phone number's own shape), 12 → 4+4+4. The
/// grouping depends only on the count of spoken characters, never on where the input's own
/// dashes or spaces were.
pub fn digits(s: &str) -> String {
    let chars: Vec<char> = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = chars.len();
    let mut sizes = Vec::new();
    if n <= 5 {
        sizes.push(n);
    } else {
        let groups = n.div_ceil(4);
        // n >= 6 implies n >= 3 * groups, so this never exceeds `groups`.
        let threes = 4 * groups - n;
        sizes.extend(std::iter::repeat_n(3, threes));
        sizes.extend(std::iter::repeat_n(4, groups - threes));
    }
    let mut rest = chars.as_slice();
    let mut spoken = Vec::with_capacity(sizes.len());
    for size in sizes {
        let (group, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        let words: Vec<String> = group.iter().map(char::to_string).collect();
        spoken.push(words.join(" "));
    }
    spoken.join(", ")
}

/// A whole number in words: 1250 → "one thousand two hundred fifty", 0 → "zero",
/// 101 → "one hundred one", 21 → "twenty-one". Covers all of `u64`.
pub fn cardinal(n: u64) -> String {
    if n == 0 {
        return ONES[0].to_string();
    }
    let mut parts = Vec::new();
    let mut rest = n;
    for scale in SCALES {
        let group = rest % 1000;
        rest /= 1000;
        if group != 0 {
            let mut words = below_thousand(group);
            if !scale.is_empty() {
                words.push(' ');
                words.push_str(scale);
            }
            parts.push(words);
        }
        if rest == 0 {
            break;
        }
    }
    parts.reverse();
    parts.join(" ")
}

/// 1..=999 in words ("one hundred five", "forty-two"); callers never pass 0.
fn below_thousand(n: u64) -> String {
    let hundreds = n / 100;
    let rest = n % 100;
    let mut words = String::new();
    if hundreds > 0 {
        words.push_str(ONES[hundreds as usize]);
        words.push_str(" hundred");
        if rest > 0 {
            words.push(' ');
        }
    }
    if rest > 0 {
        words.push_str(&below_hundred(rest));
    }
    words
}

/// 0..=99 in words.
fn below_hundred(n: u64) -> String {
    let n = (n % 100) as usize;
    if n < 20 {
        return ONES[n].to_string();
    }
    let tens = TENS[n / 10];
    match n % 10 {
        0 => tens.to_string(),
        units => format!("{tens}-{}", ONES[units]),
    }
}

/// Any whole number as an ordinal: 1 → "first", 22 → "twenty-second", 100 → "one hundredth",
/// 101 → "one hundred first", 0 → "zeroth".
pub fn ordinal(n: u64) -> String {
    let words = cardinal(n);
    let split = words.rfind([' ', '-']).map_or(0, |i| i + 1);
    let (head, last) = words.split_at(split);
    let last = match last {
        "one" => "first".to_string(),
        "two" => "second".to_string(),
        "three" => "third".to_string(),
        "five" => "fifth".to_string(),
        "eight" => "eighth".to_string(),
        "nine" => "ninth".to_string(),
        "twelve" => "twelfth".to_string(),
        other => match other.strip_suffix('y') {
            Some(stem) => format!("{stem}ieth"),
            None => format!("{other}th"),
        },
    };
    format!("{head}{last}")
}

/// A day of the month as people say it in a date: 1 → "first", 22 → "twenty-second",
/// 31 → "thirty-first". Numbers outside 1–31 still read as ordinals (0 → "zeroth").
pub fn ordinal_day(d: u32) -> String {
    ordinal(u64::from(d))
}

/// An amount in whole cents as dollars and cents: 125000 → "one thousand two hundred fifty
/// dollars", 2550 → "twenty-five dollars and fifty cents", 100 → "one dollar", 1 → "one cent",
/// 50 → "fifty cents", 0 → "zero dollars", -2550 → "minus twenty-five dollars and fifty cents".
pub fn money_cents(cents: i64) -> String {
    let abs = cents.unsigned_abs();
    let dollars = abs / 100;
    let rest = abs % 100;
    let dollar_words = match dollars {
        1 => "one dollar".to_string(),
        n => format!("{} dollars", cardinal(n)),
    };
    let cent_words = match rest {
        1 => "one cent".to_string(),
        n => format!("{} cents", cardinal(n)),
    };
    let amount = match (dollars, rest) {
        (_, 0) => dollar_words,
        (0, _) => cent_words,
        _ => format!("{dollar_words} and {cent_words}"),
    };
    if cents < 0 {
        format!("minus {amount}")
    } else {
        amount
    }
}

/// A percentage given in basis points (hundredths of a percent), exactly: 2000 → "twenty
/// percent", 1250 → "twelve point five percent", 5 → "zero point zero five percent",
/// -150 → "minus one point five percent".
pub fn percent_basis_points(bp: i64) -> String {
    let abs = bp.unsigned_abs();
    let whole = cardinal(abs / 100);
    let hundredths = abs % 100;
    let number = if hundredths == 0 {
        whole
    } else if hundredths.is_multiple_of(10) {
        format!("{whole} point {}", ONES[(hundredths / 10) as usize])
    } else {
        format!(
            "{whole} point {} {}",
            ONES[(hundredths / 10) as usize],
            ONES[(hundredths % 10) as usize]
        )
    };
    if bp < 0 {
        format!("minus {number} percent")
    } else {
        format!("{number} percent")
    }
}

/// A percentage (20.0 means twenty percent): 20.0 → "twenty percent", 12.5 → "twelve point five
/// percent".
///
/// Rounded to the nearest hundredth of a percent (halves away from zero) and then read as
/// [`percent_basis_points`] does, so 33.333 → "thirty-three point three three percent" and
/// -0.001 → "zero percent". NaN, infinities and magnitudes too large to be a percentage of
/// anything (from 10^16 percent up) read as "an unknown percentage" rather than a made-up number.
pub fn percent(p: f64) -> String {
    let bp = (p * 100.0).round();
    if !bp.is_finite() || bp.abs() >= 1e18 {
        return "an unknown percentage".to_string();
    }
    // In range for i64 (|bp| < 1e18 < 2^63) and already whole, so the cast is exact.
    percent_basis_points(bp as i64)
}

/// A date the way a caller hears it, without the year: "Tuesday, November twenty-fourth".
pub fn date(d: NaiveDate) -> String {
    let weekday = match d.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    };
    let month = MONTHS.get(d.month0() as usize).copied().unwrap_or_default();
    format!("{weekday}, {month} {}", ordinal_day(d.day()))
}

/// A date with its year: "Tuesday, November twenty-fourth, twenty twenty-six". The year reads as
/// [`year`] says it.
pub fn date_with_year(d: NaiveDate) -> String {
    format!("{}, {}", date(d), year(d.year()))
}

/// A date of birth as read back to the caller, without the weekday nobody thinks of it by:
/// "June ninth, nineteen fifty-one".
pub fn birth_date(d: NaiveDate) -> String {
    let month = MONTHS.get(d.month0() as usize).copied().unwrap_or_default();
    format!("{month} {}, {}", ordinal_day(d.day()), year(d.year()))
}

/// A year as people say it: 2026 → "twenty twenty-six", 1958 → "nineteen fifty-eight",
/// 2000 → "two thousand", 2005 → "two thousand five", 1900 → "nineteen hundred",
/// 1905 → "nineteen oh five", 2010 → "twenty ten".
///
/// Only four-digit years are read in pairs; the first ten years of a millennium (2000–2009) and
/// every other year (1–999, 10000 on) read as a plain number, and years before 1 (chrono counts
/// 1 BC as year 0) as that number with "minus".
pub fn year(y: i32) -> String {
    let abs = u64::from(y.unsigned_abs());
    let spoken = if (1000..=9999).contains(&abs) && abs % 1000 >= 10 {
        let high = below_hundred(abs / 100);
        match abs % 100 {
            0 => format!("{high} hundred"),
            low @ 1..=9 => format!("{high} oh {}", ONES[low as usize]),
            low => format!("{high} {}", below_hundred(low)),
        }
    } else {
        cardinal(abs)
    };
    if y < 0 {
        format!("minus {spoken}")
    } else {
        spoken
    }
}

/// A time on a 24-hour clock in 12-hour speech: (9, 0) → "nine A M", (17, 30) → "five thirty
/// P M", (8, 5) → "eight oh five A M", (12, 0) → "twelve noon", (0, 0) → "twelve midnight",
/// (0, 15) → "twelve fifteen A M".
///
/// Out-of-range values wrap like a clock rather than fail: the time is `h * 60 + m` minutes past
/// midnight taken modulo one day, so (24, 0) is midnight and (9, 75) is "ten fifteen A M".
pub fn time_of_day(h: u32, m: u32) -> String {
    let minutes = (u64::from(h) * 60 + u64::from(m)) % (24 * 60);
    let (hour, minute) = (minutes / 60, minutes % 60);
    match (hour, minute) {
        (0, 0) => return "twelve midnight".to_string(),
        (12, 0) => return "twelve noon".to_string(),
        _ => {}
    }
    let meridiem = if hour < 12 { "A M" } else { "P M" };
    let hour12 = match hour % 12 {
        0 => 12,
        other => other,
    };
    let hour_words = cardinal(hour12);
    match minute {
        0 => format!("{hour_words} {meridiem}"),
        1..=9 => format!("{hour_words} oh {} {meridiem}", ONES[minute as usize]),
        _ => format!("{hour_words} {} {meridiem}", below_hundred(minute)),
    }
}

/// Items joined as a sentence lists them: [] → "", [a] → "a", [a, b] → "a and b",
/// [a, b, c] → "a, b and c" (no Oxford comma). Items are used as given, empty ones included.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `cardinal`'s words back into a number, so tests can check whole ranges.
    fn parse_cardinal(words: &str) -> u64 {
        let mut total = 0u64;
        let mut current = 0u64;
        for word in words.split([' ', '-']) {
            if let Some(v) = ONES.iter().position(|w| *w == word) {
                current += v as u64;
            } else if let Some(v) = TENS.iter().position(|w| !w.is_empty() && *w == word) {
                current += 10 * v as u64;
            } else if word == "hundred" {
                current *= 100;
            } else if let Some(i) = SCALES.iter().position(|w| !w.is_empty() && *w == word) {
                total += current * 1000u64.pow(i as u32);
                current = 0;
            } else {
                panic!("unexpected word {word:?} in {words:?}");
            }
        }
        total + current
    }

    fn well_formed(s: &str) -> bool {
        !s.is_empty() && !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ")
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn digits_reads_codes_one_character_at_a_time() {
        assert_eq!(digits("10000001"), "1 0 0 0, 0 0 0 1");
        assert_eq!(digits("1Z99"), "1 Z 9 9");
        assert_eq!(digits("1z99"), "1 Z 9 9");
        assert_eq!(digits("7"), "7");
        assert_eq!(digits("12345"), "1 2 3 4 5");
        assert_eq!(digits("123456"), "1 2 3, 4 5 6");
        assert_eq!(digits("1234567"), "1 2 3, 4 5 6 7");
        assert_eq!(digits("123456789"), "1 2 3, 4 5 6, 7 8 9");
        assert_eq!(digits("555-867-5309"), "5 5 5, 8 6 7, 5 3 0 9");
        assert_eq!(digits("(555) 867 5309"), "5 5 5, 8 6 7, 5 3 0 9");
        assert_eq!(digits("ab12cd34ef56"), "A B 1 2, C D 3 4, E F 5 6");
    }

    #[test]
    fn digits_ignores_separators_and_handles_nothing_to_read() {
        assert_eq!(digits(""), "");
        assert_eq!(digits(" - -- "), "");
        assert_eq!(digits("é★"), "");
        assert_eq!(digits("1 2-3"), "1 2 3");
        assert_eq!(digits("1000-0001"), digits("10000001"));
    }

    #[test]
    fn digits_groups_are_three_or_four_long_from_six_on() {
        for n in 0..=64usize {
            let code: String = "0123456789".chars().cycle().take(n).collect();
            let spoken = digits(&code);
            let groups: Vec<&str> = if spoken.is_empty() {
                Vec::new()
            } else {
                spoken.split(", ").collect()
            };
            let sizes: Vec<usize> = groups.iter().map(|g| g.split(' ').count()).collect();
            assert_eq!(sizes.iter().sum::<usize>(), n, "{n}: {spoken}");
            if n <= 5 {
                assert!(sizes.len() <= 1, "{n}: {spoken}");
            } else {
                assert!(sizes.iter().all(|s| (3..=4).contains(s)), "{n}: {spoken}");
                assert_eq!(sizes.len(), n.div_ceil(4), "{n}: {spoken}");
                assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{n}: {spoken}");
            }
        }
    }

    #[test]
    fn cardinal_examples() {
        let cases: &[(u64, &str)] = &[
            (0, "zero"),
            (1, "one"),
            (10, "ten"),
            (11, "eleven"),
            (12, "twelve"),
            (13, "thirteen"),
            (15, "fifteen"),
            (19, "nineteen"),
            (20, "twenty"),
            (21, "twenty-one"),
            (40, "forty"),
            (99, "ninety-nine"),
            (100, "one hundred"),
            (101, "one hundred one"),
            (110, "one hundred ten"),
            (115, "one hundred fifteen"),
            (999, "nine hundred ninety-nine"),
            (1000, "one thousand"),
            (1001, "one thousand one"),
            (1250, "one thousand two hundred fifty"),
            (10_000, "ten thousand"),
            (100_000, "one hundred thousand"),
            (1_000_000, "one million"),
            (1_000_001, "one million one"),
            (2_000_300_000, "two billion three hundred thousand"),
            (
                u64::MAX,
                "eighteen quintillion four hundred forty-six quadrillion seven hundred forty-four \
                 trillion seventy-three billion seven hundred nine million five hundred fifty-one \
                 thousand six hundred fifteen",
            ),
        ];
        for (n, words) in cases {
            assert_eq!(cardinal(*n), *words, "{n}");
        }
    }

    #[test]
    fn cardinal_reads_back_over_a_range() {
        for n in 0..=200_000u64 {
            let words = cardinal(n);
            assert!(well_formed(&words), "{n}: {words:?}");
            assert_eq!(parse_cardinal(&words), n, "{words}");
        }
    }

    #[test]
    fn ordinal_day_examples() {
        let cases: &[(u32, &str)] = &[
            (1, "first"),
            (2, "second"),
            (3, "third"),
            (4, "fourth"),
            (5, "fifth"),
            (8, "eighth"),
            (9, "ninth"),
            (11, "eleventh"),
            (12, "twelfth"),
            (13, "thirteenth"),
            (19, "nineteenth"),
            (20, "twentieth"),
            (21, "twenty-first"),
            (22, "twenty-second"),
            (23, "twenty-third"),
            (24, "twenty-fourth"),
            (30, "thirtieth"),
            (31, "thirty-first"),
            (0, "zeroth"),
            (100, "one hundredth"),
            (101, "one hundred first"),
            (1_000_000, "one millionth"),
        ];
        for (d, words) in cases {
            assert_eq!(ordinal_day(*d), *words, "{d}");
        }
        assert!(ordinal_day(u32::MAX).ends_with("ninety-fifth"));
        assert!(ordinal(u64::MAX).ends_with("six hundred fifteenth"));
    }

    #[test]
    fn money_examples() {
        assert_eq!(
            money_cents(125_000),
            "one thousand two hundred fifty dollars"
        );
        assert_eq!(money_cents(2550), "twenty-five dollars and fifty cents");
        assert_eq!(money_cents(100), "one dollar");
        assert_eq!(money_cents(101), "one dollar and one cent");
        assert_eq!(money_cents(1), "one cent");
        assert_eq!(money_cents(50), "fifty cents");
        assert_eq!(money_cents(0), "zero dollars");
        assert_eq!(money_cents(100_000_000), "one million dollars");
        assert_eq!(
            money_cents(-2550),
            "minus twenty-five dollars and fifty cents"
        );
        assert_eq!(money_cents(-1), "minus one cent");
        assert_eq!(money_cents(-100), "minus one dollar");
        assert!(money_cents(i64::MIN).starts_with("minus ninety-two quadrillion"));
        assert!(money_cents(i64::MIN).ends_with("dollars and eight cents"));
        assert!(money_cents(i64::MAX).ends_with("dollars and seven cents"));
    }

    #[test]
    fn percent_examples() {
        assert_eq!(percent(20.0), "twenty percent");
        assert_eq!(percent(12.5), "twelve point five percent");
        assert_eq!(percent(0.0), "zero percent");
        assert_eq!(percent(-0.0), "zero percent");
        assert_eq!(percent(-0.001), "zero percent");
        assert_eq!(percent(100.0), "one hundred percent");
        assert_eq!(percent(33.333), "thirty-three point three three percent");
        assert_eq!(percent(0.05), "zero point zero five percent");
        assert_eq!(percent(-1.5), "minus one point five percent");
        assert_eq!(percent(f64::from(20i32)), "twenty percent");
        assert_eq!(percent(f64::NAN), "an unknown percentage");
        assert_eq!(percent(f64::INFINITY), "an unknown percentage");
        assert_eq!(percent(f64::NEG_INFINITY), "an unknown percentage");
        assert_eq!(percent(f64::MAX), "an unknown percentage");
        assert_eq!(percent(1e16), "an unknown percentage");
        assert_eq!(percent(1e15), "one quadrillion percent");
        assert_eq!(percent(f64::MIN_POSITIVE), "zero percent");
    }

    #[test]
    fn percent_basis_points_examples() {
        assert_eq!(percent_basis_points(2000), "twenty percent");
        assert_eq!(percent_basis_points(1250), "twelve point five percent");
        assert_eq!(percent_basis_points(1205), "twelve point zero five percent");
        assert_eq!(
            percent_basis_points(1234),
            "twelve point three four percent"
        );
        assert_eq!(percent_basis_points(0), "zero percent");
        assert_eq!(percent_basis_points(-50), "minus zero point five percent");
        assert!(percent_basis_points(i64::MIN).starts_with("minus "));
        assert!(percent_basis_points(i64::MAX).ends_with("point zero seven percent"));
    }

    #[test]
    fn dates() {
        assert_eq!(date(ymd(2026, 11, 24)), "Tuesday, November twenty-fourth");
        assert_eq!(
            date_with_year(ymd(2026, 11, 24)),
            "Tuesday, November twenty-fourth, twenty twenty-six"
        );
        assert_eq!(
            date_with_year(ymd(2000, 1, 1)),
            "Saturday, January first, two thousand"
        );
        assert_eq!(
            date_with_year(ymd(1958, 3, 31)),
            "Monday, March thirty-first, nineteen fifty-eight"
        );
        assert_eq!(date(ymd(2024, 2, 29)), "Thursday, February twenty-ninth");
        // The ends of chrono's range read without panicking.
        assert!(well_formed(&date_with_year(NaiveDate::MIN)));
        assert!(well_formed(&date_with_year(NaiveDate::MAX)));
    }

    #[test]
    fn every_day_for_two_centuries_reads() {
        let mut d = ymd(1900, 1, 1);
        while d <= ymd(2100, 12, 31) {
            let spoken = date_with_year(d);
            assert!(well_formed(&spoken), "{d}: {spoken:?}");
            d = d.succ_opt().expect("within range");
        }
    }

    #[test]
    fn years() {
        let cases: &[(i32, &str)] = &[
            (2026, "twenty twenty-six"),
            (2000, "two thousand"),
            (2005, "two thousand five"),
            (2009, "two thousand nine"),
            (2010, "twenty ten"),
            (2019, "twenty nineteen"),
            (1958, "nineteen fifty-eight"),
            (1900, "nineteen hundred"),
            (1905, "nineteen oh five"),
            (1999, "nineteen ninety-nine"),
            (1000, "one thousand"),
            (1066, "ten sixty-six"),
            (2100, "twenty-one hundred"),
            (2101, "twenty-one oh one"),
            (999, "nine hundred ninety-nine"),
            (1, "one"),
            (0, "zero"),
            (-44, "minus forty-four"),
            (10_000, "ten thousand"),
        ];
        for (y, words) in cases {
            assert_eq!(year(*y), *words, "{y}");
        }
        assert!(well_formed(&year(i32::MIN)));
        assert!(well_formed(&year(i32::MAX)));
    }

    #[test]
    fn times() {
        let cases: &[(u32, u32, &str)] = &[
            (9, 0, "nine A M"),
            (17, 30, "five thirty P M"),
            (12, 0, "twelve noon"),
            (0, 0, "twelve midnight"),
            (0, 15, "twelve fifteen A M"),
            (12, 1, "twelve oh one P M"),
            (8, 5, "eight oh five A M"),
            (11, 59, "eleven fifty-nine A M"),
            (13, 0, "one P M"),
            (23, 59, "eleven fifty-nine P M"),
            (10, 11, "ten eleven A M"),
            (24, 0, "twelve midnight"),
            (9, 75, "ten fifteen A M"),
        ];
        for (h, m, words) in cases {
            assert_eq!(time_of_day(*h, *m), *words, "{h}:{m}");
        }
        assert!(well_formed(&time_of_day(u32::MAX, u32::MAX)));
    }

    #[test]
    fn every_minute_of_the_day_reads_distinctly() {
        let mut seen = std::collections::HashSet::new();
        for h in 0..24 {
            for m in 0..60 {
                let spoken = time_of_day(h, m);
                assert!(well_formed(&spoken), "{h}:{m}: {spoken:?}");
                assert!(seen.insert(spoken.clone()), "duplicate {spoken:?}");
            }
        }
    }

    #[test]
    fn lists() {
        let s = |items: &[&str]| items.iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&[]), "");
        assert_eq!(list(&s(&["a"])), "a");
        assert_eq!(list(&s(&["a", "b"])), "a and b");
        assert_eq!(list(&s(&["a", "b", "c"])), "a, b and c");
        assert_eq!(list(&s(&["a", "b", "c", "d"])), "a, b, c and d");
    }

    proptest! {
        #[test]
        fn cardinal_reads_back_anywhere(n in any::<u64>()) {
            let words = cardinal(n);
            prop_assert!(well_formed(&words));
            prop_assert_eq!(parse_cardinal(&words), n);
            prop_assert_eq!(cardinal(n), words);
        }

        #[test]
        fn nothing_panics(
            n in any::<u64>(),
            i in any::<i64>(),
            small in any::<u32>(),
            other in any::<u32>(),
            p in any::<f64>(),
            y in any::<i32>(),
            s in ".*",
        ) {
            let _ = ordinal(n);
            let _ = ordinal_day(small);
            prop_assert!(well_formed(&money_cents(i)));
            prop_assert!(well_formed(&percent_basis_points(i)));
            prop_assert!(well_formed(&percent(p)));
            prop_assert!(well_formed(&year(y)));
            prop_assert!(well_formed(&time_of_day(small, other)));
            let _ = digits(&s);
            let _ = list(&[s.clone(), s]);
        }

        #[test]
        fn digits_speaks_every_letter_and_digit_once(s in "[0-9A-Za-z -]{0,40}") {
            let spoken = digits(&s);
            let kept: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
            let heard: String = spoken.chars().filter(char::is_ascii_alphanumeric).collect();
            prop_assert_eq!(heard, kept.to_ascii_uppercase());
        }
    }
}
