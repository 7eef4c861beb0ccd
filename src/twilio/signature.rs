//! Twilio's `X-Twilio-Signature` on webhook requests: computing it, and checking it the same
//! way as Twilio's own helper library (`twilio.request_validator.RequestValidator` in Python).
//!
//! The signature is `base64(HMAC-SHA1(auth token, url ‖ name₁ ‖ value₁ ‖ name₂ ‖ value₂ …))`.
//! The URL is the full URL Twilio requested, query string included. The pairs are the POST
//! form parameters, sorted by name and then by value.
//!
//! Only form-encoded webhooks are covered, and those are the only kind Twilio voice sends.
//! JSON bodies are signed through a `bodySHA256` query parameter instead; nothing here
//! checks that.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// The request header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// The signature Twilio would send for a request to `url` with form parameters `params`.
///
/// `url` is used byte for byte, exactly as given. The pairs are sorted by name, then by value,
/// comparing UTF-8 bytes (the same order as code points, which the Python library compares).
/// A repeated pair with the same name and value counts once, because Twilio's library sorts
/// `set(values)`.
pub fn expected_signature(auth_token: &[u8], url: &str, params: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();

    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(auth_token)
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in pairs {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header_signature` (the `X-Twilio-Signature` value) is what Twilio sends for this
/// request.
///
/// Like Twilio's helper library, this never checks `url` exactly as given. Twilio's servers
/// are not consistent about whether the signed URL has a port, so two forms of the URL are
/// checked:
/// - without a port: any explicit port is removed, not only 443 or 80;
/// - with a port: the URL as given if it has one, otherwise with the scheme's default port
///   added (`https` → 443, `http` → 80).
///
/// Both forms are normalised the way Python's `urlparse(...).geturl()` does it: the scheme is
/// lowercased, an empty `?` or `#` is dropped, and so on (see `port_variants`). Pass the
/// empty string when the header is missing; that is never valid. A URL that is not `http` or
/// `https`, or has a port that is not a number from 0 to 65535, is never valid either. (On
/// such a URL the Python library raises an error.) Both forms are always computed, and each is
/// compared in constant time, so the timing does not reveal how much of a guess was right.
pub fn is_valid(
    auth_token: &[u8],
    url: &str,
    params: &[(String, String)],
    header_signature: &str,
) -> bool {
    if header_signature.is_empty() {
        return false;
    }
    let Some(candidates) = port_variants(url) else {
        return false;
    };
    candidates.iter().fold(false, |valid, candidate| {
        let expected = expected_signature(auth_token, candidate, params);
        valid | careline_crypto::constant_time_eq(expected.as_bytes(), header_signature.as_bytes())
    })
}

/// The two URLs that Twilio's `RequestValidator.validate` signs, `[without port, with port]`,
/// or `None` where that function would raise an error or where the URL is not `http(s)`.
///
/// This follows Python 3.11's `urllib.parse` (`urlparse`, `.port`, `geturl()`) and the
/// library's `remove_port`/`add_port`. That includes their quirks, so that a request the
/// helper library accepts is accepted here, and one it rejects is rejected:
/// - `remove_port` keeps the network location only up to its first `:`. With a password
///   (`user:pw@host:8443`) that leaves `user`; with an IPv6 host (`[::1]:8443`) it leaves `[`.
/// - A URL whose port is `0` counts as having no port, because Python checks `if not uri.port`.
/// - An empty port (`host:/`) also counts as no port, and gets `:443` appended (`host::443`).
fn port_variants(url: &str) -> Option<[String; 2]> {
    // urlsplit first strips leading C0 controls and spaces, and deletes every tab, CR and LF.
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();

    let (scheme, rest) = url.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    // A webhook URL always has an authority. Without one, Python's rebuilt URL would not be
    // anything Twilio requests.
    let rest = rest.strip_prefix("//")?;
    let (netloc, rest) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if netloc.is_empty() || netloc.contains('[') != netloc.contains(']') {
        return None;
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = drop_empty_path_params(path);

    let (without_port, with_port) = match port(netloc)? {
        Some(port) if port != 0 => (
            netloc.split(':').next().unwrap_or_default().to_owned(),
            netloc.to_owned(),
        ),
        _ => (netloc.to_owned(), format!("{netloc}:{default_port}")),
    };

    // urlunsplit leaves out an empty query or fragment together with its `?` or `#`.
    let rebuild = |netloc: &str| {
        let mut out = format!("{scheme}://{netloc}{path}");
        if !query.is_empty() {
            out.push('?');
            out.push_str(query);
        }
        if !fragment.is_empty() {
            out.push('#');
            out.push_str(fragment);
        }
        out
    };
    Some([rebuild(&without_port), rebuild(&with_port)])
}

/// The port in a network location, as Python's `SplitResult.port` reads it. `Some(None)` means
/// no port. `None` is where Python raises `ValueError`: the port has something other than ASCII
/// digits, or is above 65535.
fn port(netloc: &str) -> Option<Option<u16>> {
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, host)| host);
    let port = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed
            .split_once(']')
            .and_then(|(_, after)| after.split_once(':'))
            .map_or("", |(_, port)| port),
        None => hostinfo.split_once(':').map_or("", |(_, port)| port),
    };
    if port.is_empty() {
        return Some(None);
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Python's int() accepts any number of leading zeros.
    let digits = port.trim_start_matches('0');
    if digits.len() > 5 {
        return None;
    }
    let value: u32 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    u16::try_from(value).ok().map(Some)
}

/// `urlparse` splits `;params` off the last path segment, and `urlunparse` puts them back only
/// when they are not empty. So a last segment whose first `;` ends the path loses that `;`.
fn drop_empty_path_params(path: &str) -> &str {
    let segment_start = path.rfind('/').unwrap_or(0);
    match path[segment_start..].find(';') {
        Some(i) if segment_start + i + 1 == path.len() => &path[..path.len() - 1],
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS_TOKEN: &[u8] = b"12345";
    const DOCS_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    /// Twilio's documented example. Checked against `RequestValidator("12345")` from the Python
    /// package twilio 9.13.0.
    const DOCS_SIGNATURE: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn docs_params() -> Vec<(String, String)> {
        pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ])
    }

    /// With no parameters the signature covers only the URL, so this is a plain HMAC of `data`.
    fn hmac_of(token: &[u8], data: &str) -> String {
        expected_signature(token, data, &[])
    }

    #[test]
    fn documented_example_matches() {
        assert_eq!(
            expected_signature(DOCS_TOKEN, DOCS_URL, &docs_params()),
            DOCS_SIGNATURE
        );
        assert!(is_valid(
            DOCS_TOKEN,
            DOCS_URL,
            &docs_params(),
            DOCS_SIGNATURE
        ));
    }

    #[test]
    fn parameter_order_does_not_matter() {
        let mut shuffled = docs_params();
        shuffled.reverse();
        shuffled.swap(0, 2);
        assert_eq!(
            expected_signature(DOCS_TOKEN, DOCS_URL, &shuffled),
            DOCS_SIGNATURE
        );
    }

    #[test]
    fn wrong_token_is_rejected() {
        assert!(!is_valid(
            b"54321",
            DOCS_URL,
            &docs_params(),
            DOCS_SIGNATURE
        ));
    }

    #[test]
    fn tampered_request_is_rejected() {
        let mut tampered = docs_params();
        tampered[2].1 = "9999".into();
        assert!(!is_valid(DOCS_TOKEN, DOCS_URL, &tampered, DOCS_SIGNATURE));

        let mut extra = docs_params();
        extra.push(("SpeechResult".into(), "yes".into()));
        assert!(!is_valid(DOCS_TOKEN, DOCS_URL, &extra, DOCS_SIGNATURE));

        let other_url = "https://mycompany.com/myapp.php?foo=1&bar=3";
        assert!(!is_valid(
            DOCS_TOKEN,
            other_url,
            &docs_params(),
            DOCS_SIGNATURE
        ));
    }

    #[test]
    fn missing_or_garbled_header_is_rejected() {
        assert!(!is_valid(DOCS_TOKEN, DOCS_URL, &docs_params(), ""));
        assert!(!is_valid(
            DOCS_TOKEN,
            DOCS_URL,
            &docs_params(),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ"
        ));
        assert!(!is_valid(
            DOCS_TOKEN,
            DOCS_URL,
            &docs_params(),
            &format!("{DOCS_SIGNATURE} ")
        ));
    }

    #[test]
    fn default_port_is_tried_both_ways() {
        let params = docs_params();
        let with_443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        let signed_with_port = expected_signature(DOCS_TOKEN, with_443, &params);
        // Twilio signed with the port, and we see the URL without it...
        assert!(is_valid(DOCS_TOKEN, DOCS_URL, &params, &signed_with_port));
        // ...or Twilio signed without the port, and we see it with.
        assert!(is_valid(DOCS_TOKEN, with_443, &params, DOCS_SIGNATURE));

        let http = "http://mycompany.com/voice";
        let signed_80 = expected_signature(DOCS_TOKEN, "http://mycompany.com:80/voice", &params);
        assert!(is_valid(DOCS_TOKEN, http, &params, &signed_80));
        // https's default port is not tried on an http URL.
        let signed_443 = expected_signature(DOCS_TOKEN, "http://mycompany.com:443/voice", &params);
        assert!(!is_valid(DOCS_TOKEN, http, &params, &signed_443));
    }

    #[test]
    fn any_explicit_port_may_be_dropped_but_never_added() {
        let params = docs_params();
        let on_8443 = "https://mycompany.com:8443/myapp.php?foo=1&bar=2";
        // Twilio's library strips any port, not only the default one.
        assert!(is_valid(DOCS_TOKEN, on_8443, &params, DOCS_SIGNATURE));
        let signed_8443 = expected_signature(DOCS_TOKEN, on_8443, &params);
        assert!(is_valid(DOCS_TOKEN, on_8443, &params, &signed_8443));
        // Only the default port is added to a URL that has none.
        assert!(!is_valid(DOCS_TOKEN, DOCS_URL, &params, &signed_8443));
    }

    #[test]
    fn repeated_names_sort_by_value_and_duplicates_count_once() {
        let url = "https://example.com/voice";
        let params = pairs(&[("a", "2"), ("a", "1"), ("a", "1")]);
        assert_eq!(
            expected_signature(b"t", url, &params),
            hmac_of(b"t", &format!("{url}a1a2"))
        );
    }

    #[test]
    fn names_sort_by_bytes_so_uppercase_comes_first() {
        let url = "https://example.com/voice";
        let params = pairs(&[("a1", "x"), ("a", "y"), ("B", "z"), ("A", "w"), ("é", "v")]);
        assert_eq!(
            expected_signature(b"t", url, &params),
            hmac_of(b"t", &format!("{url}AwBzaya1xév"))
        );
    }

    #[test]
    fn url_is_normalised_like_python_geturl() {
        let params = docs_params();
        let signed = expected_signature(DOCS_TOKEN, "https://mycompany.com/voice", &params);
        for seen in [
            "HTTPS://mycompany.com/voice",
            "https://mycompany.com/voice?",
            "https://mycompany.com/voice#",
            "https://mycompany.com/voice;",
            " https://mycompany.com/voi\tce",
        ] {
            assert!(is_valid(DOCS_TOKEN, seen, &params, &signed), "{seen}");
        }
        // The exact URL is never checked as given, so a signature over `…?` fails.
        let with_mark = "https://mycompany.com/voice?";
        let signed_mark = expected_signature(DOCS_TOKEN, with_mark, &params);
        assert!(!is_valid(DOCS_TOKEN, with_mark, &params, &signed_mark));
    }

    #[test]
    fn unusable_urls_are_rejected() {
        let params = docs_params();
        for url in [
            "ftp://mycompany.com/voice",
            "mycompany.com/voice",
            "https://mycompany.com:80a/voice",
            "https://mycompany.com:65536/voice",
            "https://[::1/voice",
            "https:///voice",
        ] {
            let signed = expected_signature(DOCS_TOKEN, url, &params);
            assert!(!is_valid(DOCS_TOKEN, url, &params, &signed), "{url}");
        }
    }

    #[test]
    fn port_quirks_follow_python() {
        assert_eq!(
            port_variants("https://u:pw@h:8443/x?q"),
            Some(["https://u/x?q".into(), "https://u:pw@h:8443/x?q".into()])
        );
        assert_eq!(
            port_variants("https://h:0/x"),
            Some(["https://h:0/x".into(), "https://h:0:443/x".into()])
        );
        assert_eq!(
            port_variants("http://h:/x"),
            Some(["http://h:/x".into(), "http://h::80/x".into()])
        );
        assert_eq!(
            port_variants("https://h:008443"),
            Some(["https://h".into(), "https://h:008443".into()])
        );
    }
}
