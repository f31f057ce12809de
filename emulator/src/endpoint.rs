//! Where clients reach the emulator: the base URL written into `x-oss-pub-key-url`, the
//! `Location` of a completed upload, the endpoints of GetBucketInfo and the page's address.
//! Given (`--public-url`, for a proxy or a container's published port), or made from the bound
//! address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// A base URL clients reach the emulator at: `http` or `https`, a host and an optional port,
/// no path. Parsed from text:
///
/// ```
/// use oss_callback_emulator::PublicUrl;
/// let url: PublicUrl = "https://oss.example.test:8443/".parse().unwrap();
/// assert_eq!(url.as_str(), "https://oss.example.test:8443");
/// assert_eq!(url.authority(), "oss.example.test:8443");
/// assert!("oss.example.test".parse::<PublicUrl>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://authority`, without a trailing slash.
    url: String,
    /// Where the authority starts in `url`.
    authority_at: usize,
}

/// Why a text is not a [`PublicUrl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrlError(String);

impl fmt::Display for PublicUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PublicUrlError {}

impl FromStr for PublicUrl {
    type Err = PublicUrlError;

    fn from_str(text: &str) -> Result<PublicUrl, PublicUrlError> {
        let refuse = |why: &str| PublicUrlError(format!("{text:?} is not a base URL: {why}"));
        let uri: http::Uri = text.parse().map_err(|err| refuse(&format!("{err}")))?;
        let scheme = match uri.scheme_str() {
            Some(scheme @ ("http" | "https")) => scheme,
            Some(_) => return Err(refuse("the scheme is neither http nor https")),
            None => return Err(refuse("it needs a scheme, e.g. http://127.0.0.1:9000")),
        };
        let Some(authority) = uri.authority() else {
            return Err(refuse("it names no host"));
        };
        if authority.as_str().contains('@') {
            return Err(refuse("it carries user information"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            // Requests are routed by path (`/<bucket>/<key>`): a prefix would not be stripped.
            return Err(refuse(
                "it has a path or a query; only scheme, host and port",
            ));
        }
        Ok(PublicUrl::new(scheme, authority.as_str()))
    }
}

impl PublicUrl {
    fn new(scheme: &str, authority: &str) -> PublicUrl {
        PublicUrl {
            url: format!("{scheme}://{authority}"),
            authority_at: scheme.len() + "://".len(),
        }
    }

    /// The URL of a server bound to `addr`: an unspecified address (`0.0.0.0`, `::`) is
    /// reached at loopback (`127.0.0.1`, `::1`) with the same port.
    #[must_use]
    pub fn of_bound(addr: SocketAddr, https: bool) -> PublicUrl {
        let ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if https { "https" } else { "http" };
        PublicUrl::new(scheme, &SocketAddr::new(ip, addr.port()).to_string())
    }

    /// `scheme://host[:port]`, without a trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `host[:port]`: what OSS calls an endpoint.
    #[must_use]
    pub fn authority(&self) -> &str {
        self.url.get(self.authority_at..).unwrap_or_default()
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<String, String> {
        text.parse::<PublicUrl>()
            .map(|url| url.to_string())
            .map_err(|err| err.to_string())
    }

    #[test]
    fn a_base_url_keeps_scheme_host_and_port_without_the_slash() {
        assert_eq!(
            parsed("http://localhost:9000/"),
            Ok("http://localhost:9000".into())
        );
        assert_eq!(parsed("https://oss.test"), Ok("https://oss.test".into()));
        assert_eq!(parsed("http://[::1]:9000"), Ok("http://[::1]:9000".into()));
    }

    #[test]
    fn anything_but_a_base_url_is_refused_with_the_reason() {
        for (text, why) in [
            ("localhost:9000", "scheme"),
            ("ftp://host", "neither http nor https"),
            ("http://host/prefix", "path"),
            ("http://host/?a=b", "query"),
            ("http://user:pw@host", "user information"),
            ("http://", "not a base URL"),
        ] {
            let err = parsed(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn an_unspecified_bind_address_is_reached_at_loopback() {
        let url = |addr: &str, https| {
            let addr: SocketAddr = addr.parse().unwrap_or_else(|err| panic!("{addr}: {err}"));
            PublicUrl::of_bound(addr, https).to_string()
        };
        assert_eq!(url("0.0.0.0:9000", false), "http://127.0.0.1:9000");
        assert_eq!(url("[::]:9000", true), "https://[::1]:9000");
        assert_eq!(url("192.0.2.7:81", false), "http://192.0.2.7:81");
        let bound = PublicUrl::of_bound(SocketAddr::from(([10, 0, 0, 1], 9)), false);
        assert_eq!(bound.authority(), "10.0.0.1:9");
    }
}
