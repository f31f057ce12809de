//! The addresses OSS will not call back (EC `0007-00000008`, "Private address is forbidden to
//! callback."): loopback, private, link-local and unique-local ones.

use std::net::IpAddr;

/// Whether OSS would refuse to call `ip` (loopback, private, link-local, unique local).
///
/// ```
/// use oss_callback::callback::is_private_ip;
///
/// assert!(is_private_ip("10.0.0.1".parse().unwrap()));
/// assert!(!is_private_ip("8.8.8.8".parse().unwrap()));
/// ```
#[must_use]
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or_default();
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Whether OSS refuses the callback URL `url` for its host, without DNS: an address literal
/// that [`is_private_ip`], or `localhost`. A name that resolves to a private address is
/// refused by OSS too, which only a lookup tells.
///
/// ```
/// use oss_callback::callback::is_private_url;
///
/// assert!(is_private_url("http://127.0.0.1:8080/cb"));
/// assert!(is_private_url("http://[::1]/cb"));
/// assert!(!is_private_url("https://api.example.com/cb"));
/// ```
#[must_use]
pub fn is_private_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(is_private_ip)
}
